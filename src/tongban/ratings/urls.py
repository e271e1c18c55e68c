"""Public and applicant pages of the ratings app (portal URL tree)."""

from django.urls import path  # noqa: F401

app_name = "ratings"

urlpatterns: list = []
