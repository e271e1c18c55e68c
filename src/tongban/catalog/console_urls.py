"""The catalogue's pages on the staff site, included at ``console/catalog/``."""

from django.urls import path

from .views import console

app_name = "catalog-console"

urlpatterns = [
    path("", console.catalogue, name="catalogue"),
]
