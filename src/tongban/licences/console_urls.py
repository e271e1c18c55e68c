"""Staff pages of the licences app under /console/licences/."""

from django.urls import path  # noqa: F401

app_name = "licences-console"

urlpatterns: list = []
