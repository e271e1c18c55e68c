"""The staff's case pages (工作台), included at ``console/cases/``."""

from django.urls import path

from .views import console, console_counter

app_name = "cases-console"

urlpatterns = [
    path("", console.queue, name="queue"),
    path("bulk/", console.bulk, name="bulk"),
    path("counter/", console_counter.counter, name="counter"),
    path("<str:case_no>/", console.case_page, name="case"),
    path("<str:case_no>/actions/<slug:action>/", console.case_action, name="action"),
    path("<str:case_no>/materials/<int:pk>/", console.material_file, name="material"),
]
