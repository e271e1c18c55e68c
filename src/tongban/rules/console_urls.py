"""Staff pages of the rules app under /console/rules/."""

from django.urls import path  # noqa: F401

app_name = "rules-console"

urlpatterns: list = []
