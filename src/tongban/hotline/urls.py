"""Public pages of the hotline (citizen submission and lookup) under /hotline/."""

from django.urls import path

from .views import portal

app_name = "hotline"

urlpatterns = [
    path("hotline/", portal.start, name="start"),
    path("hotline/new/", portal.submit, name="submit"),
    path("hotline/submitted/", portal.submitted, name="submitted"),
    path("hotline/lookup/", portal.lookup, name="lookup"),
    path("hotline/tickets/<str:ticket_no>/", portal.ticket_page, name="ticket"),
]
