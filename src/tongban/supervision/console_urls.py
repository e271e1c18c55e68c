"""Staff pages of the supervision app under /console/supervision/."""

from django.urls import path

from .views import console, hall

app_name = "supervision-console"

urlpatterns = [
    path("", console.home, name="home"),
    path("subjects/<slug:kind>/<str:ref>/", console.subject, name="subject"),
    path("cards/", console.cards, name="cards"),
    path("cards/<int:pk>/", console.card, name="card"),
    path("orders/", console.orders, name="orders"),
    path("orders/<int:pk>/", console.order, name="order"),
    path("dashboard/", console.dashboard, name="dashboard"),
    path("list/", console.case_list, name="list"),
    path("reports/", console.report_list, name="reports"),
    path("reports/generate/", console.report_generate, name="report-generate"),
    path("reports/<str:month>.<slug:kind>", console.report_file, name="report-file"),
    path("performance/", console.performance_sheet, name="performance"),
    path("hall/", hall.hall_statistics, name="hall"),
]
