"""Public and applicant pages of the rules app (portal URL tree)."""

from django.urls import path  # noqa: F401

app_name = "rules"

urlpatterns: list = []
