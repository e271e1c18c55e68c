"""Staff pages of the selfservice app under /console/selfservice/."""

from django.urls import path

from .views import console

app_name = "selfservice-console"

urlpatterns = [
    path("lockers/", console.lockers, name="lockers"),
    path("lockers/deposits/<int:pk>/", console.deposit, name="deposit"),
    path("lockers/deposits/<int:pk>/resend/", console.deposit_resend, name="deposit-resend"),
]
