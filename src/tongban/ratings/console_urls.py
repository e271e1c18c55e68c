"""Staff pages of the ratings app under /console/ratings/."""

from django.urls import path

from .views import console

app_name = "ratings-console"

urlpatterns = [
    path("", console.rectifications, name="rectifications"),
    path("rectifications/<int:pk>/", console.rectification, name="rectification"),
    path(
        "rectifications/<int:pk>/contact/",
        console.rectification_contact,
        name="rectification-contact",
    ),
    path(
        "rectifications/<int:pk>/<slug:action>/",
        console.rectification_action,
        name="rectification-action",
    ),
    path("flagged/", console.flagged, name="flagged"),
    path("flagged/<int:rating_id>/review/", console.flagged_review, name="flagged-review"),
    path("devices/", console.devices, name="devices"),
    path("devices/<str:code>/mode/", console.device_mode, name="device-mode"),
    path("counter/", console.counter, name="counter"),
]
