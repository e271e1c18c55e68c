"""Public pages of the selfservice app (portal URL tree): the kiosk mode under /kiosk/<terminal>/."""

from django.urls import path

from .views import kiosk

app_name = "selfservice"

urlpatterns = [
    path("kiosk/<slug:kiosk>/", kiosk.start, name="kiosk-start"),
    path("kiosk/<slug:kiosk>/home/", kiosk.home, name="kiosk-home"),
    path("kiosk/<slug:kiosk>/identify/", kiosk.identify, name="kiosk-identify"),
    path("kiosk/<slug:kiosk>/leave/", kiosk.leave, name="kiosk-leave"),
    path("kiosk/<slug:kiosk>/cases/", kiosk.cases, name="kiosk-cases"),
    path("kiosk/<slug:kiosk>/cases/<str:case_no>/", kiosk.case, name="kiosk-case"),
    path("kiosk/<slug:kiosk>/cases/<str:case_no>/receipt/", kiosk.receipt, name="kiosk-receipt"),
    path(
        "kiosk/<slug:kiosk>/cases/<str:case_no>/<slug:kind>.pdf",
        kiosk.notice,
        name="kiosk-notice",
    ),
    path("kiosk/<slug:kiosk>/number/", kiosk.number, name="kiosk-number"),
    path("kiosk/<slug:kiosk>/number/<int:pk>/", kiosk.ticket, name="kiosk-ticket"),
    path("kiosk/<slug:kiosk>/pickup/", kiosk.pickup, name="kiosk-pickup"),
    path("kiosk/<slug:kiosk>/items/", kiosk.items, name="kiosk-items"),
    path("kiosk/<slug:kiosk>/items/<str:item_code>/apply/", kiosk.apply, name="kiosk-apply"),
]
