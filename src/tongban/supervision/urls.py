"""Public and applicant pages of the supervision app (portal URL tree)."""

from django.urls import path  # noqa: F401

app_name = "supervision"

urlpatterns: list = []
