"""/console/personal-data/: reveal a person's full data with a reason; the access log."""

from django.urls import path

from .views import personal_data

app_name = "personal-data-console"

urlpatterns = [
    path("reveal/<slug:kind>/<str:ref>/", personal_data.reveal, name="reveal"),
    path("access-log/", personal_data.access_log_page, name="access-log"),
    path("access-log/export.csv", personal_data.access_log_export, name="access-log-export"),
]
