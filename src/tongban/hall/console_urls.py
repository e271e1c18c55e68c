"""Staff pages of the hall app under /console/hall/."""

from django.urls import path

from .views import console

app_name = "hall-console"

urlpatterns = [
    path("", console.home, name="home"),
    path("window/<int:pk>/", console.window, name="window"),
    path("<slug:code>/bookings/", console.bookings, name="bookings"),
]
