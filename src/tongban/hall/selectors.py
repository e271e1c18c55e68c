"""Reads of the hall app: screens, the window's calling page, the staff's day list, the
applicant's bookings."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from tongban.core.models import Person
from tongban.core.workdays import business_date

from .models import (
    Booking,
    BookingStatus,
    ClerkPhoto,
    Hall,
    NumberStatus,
    QueueNumber,
    Window,
    WindowGroup,
)

SHOWN_ON_SCREEN = (NumberStatus.CALLED, NumberStatus.SERVING)
TIER_TRANSFERRED, TIER_BOOKED, TIER_WALK_IN = 0, 1, 2


def waiting_in_order(group_ids, *, now: dt.datetime):
    """Waiting numbers of the groups in calling order: transferred numbers first (they already
    waited), then booked visitors whose slot has begun (by slot), then everyone else in the
    order they took their number."""
    rank = Case(
        When(priority_tier=TIER_TRANSFERRED, then=Value(0)),
        When(priority_tier=TIER_BOOKED, priority_at__lte=now, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    key = Case(
        When(priority_tier=TIER_TRANSFERRED, then=F("priority_at")),
        When(priority_tier=TIER_BOOKED, priority_at__lte=now, then=F("priority_at")),
        default=F("taken_at"),
    )
    return (
        QueueNumber.objects.filter(
            group_id__in=list(group_ids),
            business_date=business_date(now),
            status=NumberStatus.WAITING,
        )
        .annotate(call_rank=rank, call_key=key)
        .order_by("call_rank", "call_key", "id")
    )


def active_halls():
    return Hall.objects.filter(is_active=True).order_by("code")


def hall_by_code(code: str) -> Hall | None:
    return Hall.objects.filter(code=(code or "")[:32], is_active=True).first()


def groups_of(hall: Hall) -> list[WindowGroup]:
    return list(WindowGroup.objects.filter(hall=hall).order_by("sort_order", "code"))


def bookable_choices(hall: Hall) -> list[tuple[str, str]]:
    """What a visitor can book or take a number for: each item a group serves (``i:<code>``),
    and each group itself (``g:<code>``)."""
    out: list[tuple[str, str]] = []
    for group in WindowGroup.objects.filter(hall=hall).prefetch_related("items__versions"):
        for item in group.items.all():
            names = [v.name for v in item.versions.all() if v.status == "published"]
            if names:
                out.append((f"i:{item.implementation_code}", f"{names[0]}（{group.name}）"))
    for group in groups_of(hall):
        out.append((f"g:{group.code}", f"{group.code} · {group.name}"))
    return out


def recent_calls(hall: Hall, *, limit: int = 8, now: dt.datetime | None = None) -> list[dict]:
    """The numbers called most recently (newest first) that are still at a window: what the
    hall screen shows."""
    today = business_date(now or timezone.now())
    rows = (
        QueueNumber.objects.filter(
            hall=hall, business_date=today, status__in=SHOWN_ON_SCREEN, called_at__isnull=False
        )
        .select_related("window", "group")
        .order_by("-called_at", "-id")[:limit]
    )
    return [
        {
            "id": n.pk,
            "number": n.number,
            "window": n.window.number if n.window_id else None,
            "group": n.group.code,
            "status": n.status,
            "called_at": n.called_at,
            "call_count": n.call_count,
        }
        for n in rows
    ]


def screen_signature(hall: Hall) -> str:
    """Changes whenever the screen would change (for cheap polling and tests)."""
    calls = recent_calls(hall)
    return ";".join(f"{c['number']}@{c['window']}#{c['call_count']}" for c in calls)


def windows_overview(hall: Hall) -> list[dict]:
    windows = list(
        Window.objects.filter(hall=hall, is_active=True)
        .select_related("clerk", "rating_device")
        .prefetch_related("groups")
        .order_by("number")
    )
    current = {
        n.window_id: n
        for n in QueueNumber.objects.filter(
            window__in=windows, status__in=SHOWN_ON_SCREEN
        ).select_related("group")
    }
    return [{"window": w, "current": current.get(w.pk)} for w in windows]


def window_for_clerk(user) -> Window | None:
    return (
        Window.objects.filter(clerk=user, is_active=True).select_related("hall").first()
        if getattr(user, "pk", None)
        else None
    )


def window_screen(window: Window) -> dict:
    number = (
        QueueNumber.objects.filter(window=window, status__in=SHOWN_ON_SCREEN)
        .order_by("-called_at")
        .first()
    )
    clerk = window.clerk
    photo = ClerkPhoto.objects.filter(user=clerk).first() if clerk else None
    staff = getattr(clerk, "staff", None) if clerk else None
    return {
        "window": window,
        "clerk": clerk,
        "clerk_name": (clerk.display_name or clerk.username) if clerk else "",
        "employee_no": staff.employee_no if staff else "",
        "photo_url": reverse("hall:clerk-photo", args=[clerk.pk]) if photo and photo.photo else "",
        "number": number,
        "groups": list(window.groups.order_by("sort_order", "code")),
    }


def waiting_list(window: Window, *, now: dt.datetime, limit: int = 10):
    return list(
        waiting_in_order(window.groups.values_list("pk", flat=True), now=now).select_related(
            "group", "booking"
        )[:limit]
    )


def skipped_today(window: Window, *, now: dt.datetime) -> list[QueueNumber]:
    return list(
        QueueNumber.objects.filter(
            group__in=window.groups.all(),
            business_date=business_date(now),
            status=NumberStatus.SKIPPED,
        ).order_by("-finished_at")[:10]
    )


def day_bookings(hall: Hall, day: dt.date):
    return (
        Booking.objects.filter(hall=hall, date=day)
        .select_related("group", "person")
        .order_by("slot_start", "group__sort_order", "id")
    )


def day_booking_counts(hall: Hall, day: dt.date) -> dict[str, int]:
    rows = Booking.objects.filter(hall=hall, date=day).aggregate(
        total=Count("id", filter=~Q(status=BookingStatus.CANCELLED)),
        checked_in=Count("id", filter=Q(status=BookingStatus.CHECKED_IN)),
        waiting=Count("id", filter=Q(status=BookingStatus.BOOKED)),
        no_show=Count("id", filter=Q(status=BookingStatus.NO_SHOW)),
        cancelled=Count("id", filter=Q(status=BookingStatus.CANCELLED)),
    )
    return rows


def bookings_of(person: Person | None):
    if person is None:
        return Booking.objects.none()
    return (
        Booking.objects.filter(person=person)
        .select_related("hall", "group")
        .order_by("-date", "-slot_start")
    )


def person_of(user) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(user=user).first()


def number_for_rating_ref(ref: str) -> QueueNumber | None:
    if not ref:
        return None
    return (
        QueueNumber.objects.filter(rating_ref=ref[:40])
        .select_related("window", "clerk", "group")
        .first()
    )


def number_in_hall(hall: Hall, number_id) -> QueueNumber | None:
    return (
        QueueNumber.objects.filter(hall=hall, pk=number_id)
        .select_related("group", "window", "booking")
        .first()
    )


def clerk_photo(user_id) -> ClerkPhoto | None:
    """Only the photos of clerks signed in at a window are public."""
    return (
        ClerkPhoto.objects.filter(user_id=user_id, user__in=Window.objects.values("clerk"))
        .exclude(photo="")
        .first()
    )
