from django.urls import path

from .views import portal

app_name = "catalog"

urlpatterns = [
    path("items/", portal.catalogue, name="catalogue"),
    path("items/<str:code>/", portal.guide, name="guide"),
    path("items/<str:code>/situation/", portal.wizard_start, {"kind": "item"}, name="item-start"),
    path(
        "items/<str:code>/situation/summary/",
        portal.wizard_summary,
        {"kind": "item"},
        name="item-summary",
    ),
    path(
        "items/<str:code>/situation/<slug:question>/",
        portal.wizard_question,
        {"kind": "item"},
        name="item-question",
    ),
    path("bundles/<slug:code>/", portal.bundle, name="bundle"),
    path(
        "bundles/<slug:code>/situation/",
        portal.wizard_start,
        {"kind": "bundle"},
        name="bundle-start",
    ),
    path(
        "bundles/<slug:code>/situation/summary/",
        portal.wizard_summary,
        {"kind": "bundle"},
        name="bundle-summary",
    ),
    path(
        "bundles/<slug:code>/situation/<slug:question>/",
        portal.wizard_question,
        {"kind": "bundle"},
        name="bundle-question",
    ),
]
