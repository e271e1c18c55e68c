"""Public and applicant pages of the licences app (portal URL tree)."""

from django.urls import path  # noqa: F401

app_name = "licences"

urlpatterns: list = []
