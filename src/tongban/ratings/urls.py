"""Public and applicant pages of the ratings app (portal URL tree)."""

from django.urls import path

from .views import portal

app_name = "ratings"

urlpatterns = [
    path("rate/thanks/", portal.thanks, name="thanks"),
    path("rate/s/<str:token>/", portal.link, name="link"),
    path("rate/device/", portal.device, name="device"),
    path("rate/device/pair/<str:token>/", portal.device_pair, name="device-pair"),
    path("rate/<slug:kind>/<str:ref>/", portal.rate, name="rate"),
]
