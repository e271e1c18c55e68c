"""Staff pages of the ratings app under /console/ratings/."""

from django.urls import path  # noqa: F401

app_name = "ratings-console"

urlpatterns: list = []
