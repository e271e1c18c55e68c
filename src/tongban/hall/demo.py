"""The hall on the demo district: 云溪区政务服务中心 with 12 windows in 7 window groups, opening
hours with weekend service, a clerk signed in at each window (with a photo for the window
screen), a rating device (评价器) on every window, a week of bookings and numbers behind today
(called, served, skipped, transferred, no-shows) and bookings for the coming week; plus a
training hall (培训演示厅) open round the clock so that the screens can be tried at any hour:
open its hall screen in one browser and call numbers from another.

Every write goes through the hall services with an explicit ``now``. Idempotent: a second run
finds the halls and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from tongban.catalog.models import ServiceItem
from tongban.core.errors import DomainError
from tongban.core.models import Department, Person, User
from tongban.core.permissions import Role
from tongban.core.services import staff_create
from tongban.core.workdays import BUSINESS_TZ, business_date
from tongban.ratings.models import RatingDevice
from tongban.ratings.services import device_register, pairing_url

from . import services
from .models import ClerkPhoto, Hall, OpeningHours, Window, WindowGroup, WindowKind
from .selectors import waiting_in_order
from .services.hours import slot_starts

SEED = 14
HALL_CODE = "yx-zwzx"
TRAINING_CODE = "yx-training"
_DEMO_SMS = "tongban.cases.demo.DemoSmsBackend"

# code, name, slot capacity, minutes per visitor, bookable
GROUPS = [
    ("A", "综合受理", 6, 12, True),
    ("B", "企业开办", 4, 15, True),
    ("C", "社保医保", 6, 8, True),
    ("D", "不动产登记", 3, 20, True),
    ("E", "户籍出入境", 4, 10, True),
    ("F", "帮办代办", 2, 20, True),
    ("G", "办不成事反映", 2, 15, False),
]
# number, name, kind, groups
WINDOWS = [
    (1, "综合受理", WindowKind.COMPREHENSIVE, "A"),
    (2, "综合受理", WindowKind.COMPREHENSIVE, "A"),
    (3, "综合受理", WindowKind.COMPREHENSIVE, "AB"),
    (4, "综合受理", WindowKind.COMPREHENSIVE, "AC"),
    (5, "企业开办专窗", WindowKind.DEDICATED, "B"),
    (6, "企业开办专窗", WindowKind.DEDICATED, "B"),
    (7, "社保医保专窗", WindowKind.DEDICATED, "C"),
    (8, "社保医保专窗", WindowKind.DEDICATED, "C"),
    (9, "不动产登记专窗", WindowKind.DEDICATED, "D"),
    (10, "户籍出入境专窗", WindowKind.DEDICATED, "E"),
    (11, "帮办代办", WindowKind.ASSISTED, "FA"),
    (12, "办不成事反映窗口", WindowKind.COMPLAINT, "G"),
]
CLERKS = [
    "陈雅琴", "刘晓东", "孙婷", "何志强", "郑慧", "冯磊",
    "朱丽萍", "许文博", "曹敏", "彭浩", "邓秀英", "萧建国",
]  # fmt: skip
COLOURS = ["#a8201a", "#0b4f9c", "#1e6b35", "#6b3fa0", "#8a5a00", "#005f73"]


def _avatar(name: str, colour: str) -> bytes:
    """A plain SVG portrait placeholder (the demo has no real photos)."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="280" height="350" viewBox="0 0 280 350">'
        f'<rect width="280" height="350" fill="{colour}"/>'
        '<circle cx="140" cy="130" r="70" fill="#ffffff" opacity="0.85"/>'
        '<rect x="50" y="215" width="180" height="135" rx="60" fill="#ffffff" opacity="0.85"/>'
        f'<text x="140" y="155" font-size="72" text-anchor="middle" fill="{colour}" '
        f'font-family="sans-serif">{name[0]}</text></svg>'
    ).encode()


def _hours(hall: Hall, plan: dict[int, list[tuple[dt.time, dt.time]]]) -> None:
    for weekday, periods in plan.items():
        for opens, closes in periods:
            OpeningHours.objects.create(hall=hall, weekday=weekday, opens=opens, closes=closes)


def _build_hall(created: Counter, out) -> Hall | None:
    if Hall.objects.filter(code=HALL_CODE).exists():
        return None
    department = Department.objects.filter(code="zwzx").first()
    if department is None:
        out("hall: skipped: the core demo (department zwzx) is missing")
        return None
    hall = Hall.objects.create(
        code=HALL_CODE,
        name="云溪区政务服务中心",
        department=department,
        address="云溪区市民大道 88 号一楼",
    )
    weekday = [(dt.time(8, 30), dt.time(12)), (dt.time(13, 30), dt.time(17, 30))]
    _hours(
        hall,
        {
            0: weekday,
            1: weekday,
            2: weekday,
            3: weekday,
            4: weekday,
            5: [(dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(17))],  # 周末不打烊
            6: [(dt.time(9), dt.time(12))],
        },
    )
    groups = {}
    items = list(ServiceItem.objects.filter(versions__status="published").distinct()[:60])
    for order, (code, name, capacity, minutes, bookable) in enumerate(GROUPS, start=1):
        groups[code] = WindowGroup.objects.create(
            hall=hall,
            code=code,
            name=name,
            slot_capacity=capacity,
            service_minutes=minutes,
            bookable=bookable,
            sort_order=order,
        )
    groups["A"].items.add(*items)
    created["halls"] += 1
    for (number, name, kind, codes), clerk_name in zip(WINDOWS, CLERKS, strict=True):
        window = Window.objects.create(hall=hall, number=number, name=name, kind=kind)
        window.groups.add(*(groups[c] for c in codes))
        username = f"hall{number:02d}"
        user = User.objects.filter(username=username).first() or staff_create(
            username=username,
            password=settings.TONGBAN_DEMO_PASSWORD,
            display_name=clerk_name,
            department=department,
            roles=[Role.WINDOW_CLERK],
            employee_no=f"ZW{number:04d}",
        )
        photo = ClerkPhoto(user=user)
        photo.photo.save(
            f"{username}.svg", ContentFile(_avatar(clerk_name, COLOURS[number % 6])), save=False
        )
        photo.save()
        code = "DEMO-ZWZX-01" if number == 1 else f"DEMO-ZWZX-{number:02d}"
        device = RatingDevice.objects.filter(code=code).first()
        if device is None:
            device, token = device_register(
                code=code, department=department, window=f"{number}号窗口"
            )
            if number == 2:
                out(f"hall: pair the window 2 rating device by opening {pairing_url(token)}")
        window.rating_device = device
        window.save(update_fields=["rating_device"])
        services.window_sign_in(window=window, actor=user)
        created["windows"] += 1
    return hall


def _training_hall(created: Counter) -> None:
    if Hall.objects.filter(code=TRAINING_CODE).exists():
        return
    department = Department.objects.filter(code="zwzx").first()
    if department is None:
        return
    hall = Hall.objects.create(
        code=TRAINING_CODE,
        name="政务服务中心培训演示厅",
        department=department,
        address="云溪区市民大道 88 号三楼",
    )
    _hours(hall, {d: [(dt.time(0), dt.time(23, 59))] for d in range(7)})
    a = WindowGroup.objects.create(hall=hall, code="A", name="综合受理", sort_order=1)
    b = WindowGroup.objects.create(hall=hall, code="B", name="企业开办", sort_order=2)
    for number, groups in ((1, [a]), (2, [a, b]), (3, [b])):
        window = Window.objects.create(hall=hall, number=number, name="培训窗口")
        window.groups.add(*groups)
    clerk = User.objects.filter(username="clerk").first()
    if clerk is not None:
        window = Window.objects.get(hall=hall, number=1)
        if not Window.objects.filter(clerk=clerk).exists():
            services.window_sign_in(window=window, actor=clerk)
    created["halls"] += 1


def _at(day: dt.date, minutes: float) -> dt.datetime:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=BUSINESS_TZ)
    return start + dt.timedelta(minutes=minutes)


def _open_minutes(hall: Hall, day: dt.date) -> list[tuple[int, int]]:
    return [
        (p.opens.hour * 60 + p.opens.minute, p.closes.hour * 60 + p.closes.minute)
        for p in services.periods_of(hall, day)
    ]


def _history(hall: Hall, rng: random.Random, now: dt.datetime, created: Counter) -> None:
    """A week of visits: bookings made days before, numbers taken, called in order at the
    staffed windows, served, sometimes skipped or transferred; some booked visitors never
    came (no-shows)."""
    people = list(Person.objects.order_by("pk")[:40])
    if not people:
        return
    windows = list(Window.objects.filter(hall=hall).select_related("clerk").order_by("number"))
    for window in windows:
        window.group_ids = list(window.groups.values_list("pk", flat=True))
    today = business_date(now)
    for back in range(7, 0, -1):
        day = today - dt.timedelta(days=back)
        periods = _open_minutes(hall, day)
        if not periods:
            continue
        visits = rng.randint(40, 70) if day.weekday() < 5 else rng.randint(15, 25)
        taken = []
        # bookings made two days before, for slots of this day
        slots = slot_starts(hall, day)
        booked_people = rng.sample(people, min(len(people), visits // 3))
        for person in booked_people:
            start, _end = rng.choice(slots)
            group = rng.choice(["A", "B", "C", "D", "E"])
            try:
                booking = services.booking_create(
                    hall=hall,
                    person=person,
                    date=day,
                    start=start,
                    group_code=group,
                    now=_at(day, 0) - dt.timedelta(days=2),
                )
            except DomainError:
                continue
            created["bookings"] += 1
            if rng.random() < 0.12:
                continue  # never came: a no-show
            arrive = _at(day, start.hour * 60 + start.minute - rng.randint(0, 20))
            arrive = max(arrive, _at(day, periods[0][0]))
            taken.append((arrive, {"booking_code": booking.code}))
        for _i in range(visits - len(taken)):
            opens, closes = rng.choice(periods)
            arrive = _at(day, rng.uniform(opens, closes - 40))
            group = rng.choices("ABCDEFG", weights=[30, 12, 25, 8, 12, 5, 2])[0]
            taken.append((arrive, {"group_code": group}))
        taken.sort(key=lambda t: t[0])
        free_at = {w.pk: None for w in windows}
        for arrive, how in taken:
            try:
                services.number_take(hall=hall, channel="kiosk", now=arrive, **how)
            except DomainError:
                continue
            created["numbers"] += 1
            _serve_until(hall, windows, free_at, arrive, rng, created)
        _serve_until(hall, windows, free_at, _at(day, periods[-1][1] + 60), rng, created)
    services.bookings_mark_no_show(now=now)


def _serve_until(hall, windows, free_at, until, rng, created) -> None:
    """Every staffed window that is free by ``until`` calls and serves the next number (at
    ``until`` if it was idle, else when it became free), until nobody is waiting."""
    progress = True
    while progress:
        progress = False
        for window in windows:
            if window.clerk is None:
                continue
            at = free_at[window.pk]
            if at is not None and at > until:
                continue
            at = until if at is None else at
            if not waiting_in_order(window.group_ids, now=at).exists():
                free_at[window.pk] = None
                continue
            try:
                number = services.number_call_next(window=window, actor=window.clerk, now=at)
            except DomainError:
                free_at[window.pk] = None  # idle: it calls the next arrival when it comes
                continue
            progress = True
            if rng.random() < 0.04:
                services.number_skip(
                    window=window, actor=window.clerk, now=at + dt.timedelta(minutes=2)
                )
                free_at[window.pk] = at + dt.timedelta(minutes=2)
                continue
            start = at + dt.timedelta(minutes=rng.uniform(0.5, 2))
            services.number_start(window=window, actor=window.clerk, now=start)
            end = start + dt.timedelta(minutes=number.group.service_minutes * rng.uniform(0.5, 1.6))
            if rng.random() < 0.05 and number.group.code not in "CG":
                services.number_transfer(window=window, actor=window.clerk, group_code="C", now=end)
            else:
                services.number_finish(window=window, actor=window.clerk, now=end)
            created["served"] += 1
            free_at[window.pk] = end


def _future(hall: Hall, rng: random.Random, now: dt.datetime, created: Counter) -> None:
    people = list(Person.objects.filter(user__isnull=False).order_by("pk")[:12]) or list(
        Person.objects.order_by("pk")[:12]
    )
    today = business_date(now)
    for ahead in range(1, 8):
        day = today + dt.timedelta(days=ahead)
        try:
            slots = slot_starts(hall, day)
        except DomainError:
            return  # the calendar does not cover that year yet
        if not slots:
            continue
        for person in rng.sample(people, min(len(people), 6)):
            start, _end = rng.choice(slots)
            try:
                services.booking_create(
                    hall=hall,
                    person=person,
                    date=day,
                    start=start,
                    group_code=rng.choice("ABCDE"),
                    now=now,
                )
            except DomainError:
                continue
            created["bookings"] += 1


def _today(hall: Hall, rng: random.Random, now: dt.datetime, created: Counter) -> None:
    """If the hall is open now: a few people waiting and some windows calling."""
    if not services.is_open(hall, now):
        return
    for minutes in range(12, 0, -1):
        try:
            services.number_take(
                hall=hall,
                group_code=rng.choice("AACCB"),
                channel="kiosk",
                now=now - dt.timedelta(minutes=minutes * 3),
            )
        except DomainError:
            continue
        created["numbers"] += 1
    for window in Window.objects.filter(hall=hall, number__in=[1, 2, 5, 7]).select_related("clerk"):
        if window.clerk is None:
            continue
        try:
            services.number_call_next(window=window, actor=window.clerk, now=now)
        except DomainError:
            continue


def users() -> list[tuple[str, str]]:
    """(role, username) of every account this module adds: a clerk at each window."""
    return [(str(Role.WINDOW_CLERK), f"hall{number:02d}") for number, *_rest in WINDOWS]


def load(out: Callable[[str], None] = print) -> dict[str, int]:
    created: Counter = Counter()
    now = timezone.now()
    rng = random.Random(SEED)  # noqa: S311 (demo data, not security)
    with override_settings(TONGBAN_SMS_BACKEND=_DEMO_SMS), transaction.atomic():
        hall = _build_hall(created, out)
        _training_hall(created)
        if hall is not None:
            _history(hall, rng, now, created)
            _future(hall, rng, now, created)
            _today(hall, rng, now, created)
    if created:
        out("hall: " + ", ".join(f"{n} {what}" for what, n in created.items()))
    else:
        out("hall: already loaded")
    return dict(created)
