"""Staff pages of the supervision app under /console/supervision/."""

from django.urls import path  # noqa: F401

app_name = "supervision-console"

urlpatterns: list = []
