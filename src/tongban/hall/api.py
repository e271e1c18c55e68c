"""The hall API under /api/v1/: public reads for screens and booking clients (halls, waiting
counts, recent calls, free slots); taking a number and calling need a signed-in session or an
API token (a kiosk or a counter system), with the same services and errors as the pages."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status

from tongban.core.access import rule
from tongban.core.errors import NotFound, ValidationFailed
from tongban.core.identifiers import parse_date

from . import selectors, services
from .errors import HallErrorCode
from .models import Window
from .services.numbers import group_by_code

router = Router(tags=["hall"])


class NumberOut(Schema):
    id: int
    number: str
    group: str
    status: str
    channel: str
    business_date: dt.date
    taken_at: dt.datetime
    called_at: dt.datetime | None = None
    window: int | None = None
    booking: str | None = None
    ahead: int = 0


class TakeIn(Schema):
    group_code: str | None = None
    item_code: str | None = None
    booking_code: str | None = None
    id_number: str | None = None
    channel: str = "kiosk"


class CallIn(Schema):
    group_code: str | None = None


def _number_out(number) -> dict:
    return {
        "id": number.pk,
        "number": number.number,
        "group": number.group.code,
        "status": number.status,
        "channel": number.channel,
        "business_date": number.business_date,
        "taken_at": number.taken_at,
        "called_at": number.called_at,
        "window": number.window.number if number.window_id else None,
        "booking": number.booking.code if number.booking_id else None,
        "ahead": services.position_of(number),
    }


def _hall(code: str):
    hall = selectors.hall_by_code(code)
    if hall is None:
        raise NotFound()
    return hall


@rule("public")
@router.get("/hall/halls", auth=None)
def halls(request: HttpRequest):
    now = timezone.now()
    return [
        {
            "code": h.code,
            "name": h.name,
            "address": h.address,
            "open_now": services.is_open(h, now),
            "slot_minutes": h.slot_minutes,
        }
        for h in selectors.active_halls()
    ]


@rule("public")
@router.get("/hall/halls/{code}/waiting", auth=None)
def waiting(request: HttpRequest, code: str):
    return services.waiting_summary(_hall(code))


@rule("public")
@router.get("/hall/halls/{code}/calls", auth=None)
def calls(request: HttpRequest, code: str):
    return selectors.recent_calls(_hall(code), limit=12)


@rule("public")
@router.get("/hall/halls/{code}/slots", auth=None)
def slots(request: HttpRequest, code: str, group: str, date: str):
    hall = _hall(code)
    day = parse_date(date, field="date")
    found = group_by_code(hall, group)
    return [
        {
            "date": s.date,
            "start": f"{s.start:%H:%M}",
            "end": f"{s.end:%H:%M}",
            "capacity": s.capacity,
            "free": s.free,
        }
        for s in services.slots_of_day(found, day)
    ]


@rule("login")
@router.post("/hall/halls/{code}/numbers", response={201: NumberOut})
def take(request: HttpRequest, code: str, payload: TakeIn):
    number = services.number_take(hall=_hall(code), **payload.dict())
    return Status(201, _number_out(number))


def _window(code: str, number: int) -> Window:
    window = Window.objects.filter(hall__code=code, number=number, is_active=True).first()
    if window is None:
        raise NotFound()
    return window


@rule("perm:hall.call")
@router.post("/hall/halls/{code}/windows/{number}/call-next", response=NumberOut)
def call_next(request: HttpRequest, code: str, number: int, payload: CallIn):
    called = services.number_call_next(
        window=_window(code, number), actor=request.auth, group_code=payload.group_code
    )
    return _number_out(called)


@rule("perm:hall.call")
@router.post("/hall/halls/{code}/windows/{number}/{action}", response=NumberOut)
def window_action(request: HttpRequest, code: str, number: int, action: str):
    actions = {
        "recall": services.number_recall,
        "start": services.number_start,
        "skip": services.number_skip,
        "finish": services.number_finish,
    }
    if action not in actions:
        raise ValidationFailed(HallErrorCode.INVALID_INPUT, _("未知的操作。"), field="action")
    done = actions[action](window=_window(code, number), actor=request.auth)
    return _number_out(done)
