"""Taking a queue number at the self-service terminal (hall.services.numbers)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tongban.core.errors import DomainError
from tongban.hall.models import Channel
from tongban.hall.services.numbers import number_take, waiting_summary

from . import forms


def number_context(kiosk) -> dict:
    if kiosk.hall is None:
        return {"groups": [], "no_hall": True}
    return {"groups": waiting_summary(kiosk.hall), "no_hall": False}


def take_number(request, kiosk):
    """(number, booking form, error): by a group button or by a booking code; an identified
    visitor's ID number goes with it (their booking for today is found by it)."""
    form = forms.BookingCodeForm()
    if kiosk.hall is None:
        return None, form, str(_("本终端未关联服务大厅，不能取号。"))
    person = request.visitor
    id_number = person.id_number if person is not None else None
    kwargs = {}
    if request.POST.get("action") == "booking":
        form = forms.BookingCodeForm(request.POST)
        if not form.is_valid():
            return None, form, ""
        kwargs["booking_code"] = form.cleaned_data["booking_code"]
    elif request.POST.get("action") == "mine":
        if id_number is None:
            return None, form, str(_("请先核验身份，再按预约取号。"))
    else:
        kwargs["group_code"] = (request.POST.get("group") or "").strip()[:2]
        if not kwargs["group_code"]:
            return None, form, str(_("请选择要办理的业务。"))
    try:
        taken = number_take(
            hall=kiosk.hall, id_number=id_number, channel=Channel.SELF_SERVICE, **kwargs
        )
    except DomainError as exc:
        if exc.field == "booking_code":
            form.add_error("booking_code", exc.message)
            return None, form, ""
        return None, form, exc.message
    return taken, form, ""
