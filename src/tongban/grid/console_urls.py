"""Staff pages of the grid app under /console/grid/ (the grid worker's phone pages)."""

from django.urls import path

from .views import console, manage

app_name = "grid-console"

urlpatterns = [
    path("", console.home, name="home"),
    path("report/", console.event_report, name="report"),
    path("events/", console.event_list, name="events"),
    path("events/<str:ticket_no>/", console.event_detail, name="event"),
    path("visits/", console.visit_list, name="visits"),
    path("visits/<int:pk>/", console.visit_detail, name="visit"),
    path("manage/", manage.grid_list, name="manage"),
    path("manage/new/", manage.grid_new, name="manage-new"),
    path("manage/<str:code>/", manage.grid_edit, name="manage-grid"),
    path("manage/<str:code>/workers/", manage.worker_assign, name="manage-assign"),
    path(
        "manage/<str:code>/workers/<int:worker_id>/remove/",
        manage.worker_unassign,
        name="manage-unassign",
    ),
]
