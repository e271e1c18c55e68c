"""Public and applicant pages of the hall app (portal URL tree)."""

from django.urls import path

from .views import portal, screens

app_name = "hall"

urlpatterns = [
    path("hall/", portal.halls, name="halls"),
    path("hall/bookings/", portal.my_bookings, name="bookings"),
    path("hall/bookings/<str:code>/", portal.booking, name="booking"),
    path("hall/bookings/<str:code>/cancel/", portal.booking_cancel, name="booking-cancel"),
    path(
        "hall/bookings/<str:code>/reschedule/",
        portal.booking_reschedule,
        name="booking-reschedule",
    ),
    path("hall/device/", screens.device, name="device"),
    path("hall/clerks/<int:user_id>/photo/", screens.clerk_photo, name="clerk-photo"),
    path("hall/<slug:code>/book/", portal.book, name="book"),
    path("hall/<slug:code>/take/", portal.take, name="take"),
    path("hall/<slug:code>/ticket/<str:token>/", portal.ticket, name="ticket"),
    path("hall/<slug:code>/screen/", screens.hall_screen, name="screen"),
    path("hall/<slug:code>/screen/live/", screens.hall_screen_live, name="screen-live"),
    path(
        "hall/<slug:code>/screen/window/<int:number>/", screens.window_screen, name="window-screen"
    ),
    path(
        "hall/<slug:code>/screen/window/<int:number>/live/",
        screens.window_screen_live,
        name="window-screen-live",
    ),
]
