"""Self-service demo: two locker banks (一楼东侧 and the 24-hour self-service room), terminals
in the hall and in the training hall (open round the clock, so taking a number works at any
hour), and results in the lockers: some waiting, one collected, one uncollected past the limit
and flagged for mailing. Runs after the hall demo (INSTALLED_APPS order).

Every deposit goes through the locker services with an explicit ``now``. Idempotent: a second
run finds the banks and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from tongban.cases import selectors as cases_selectors
from tongban.core.models import User
from tongban.hall.models import Hall

from . import services
from .models import Compartment, CompartmentSize, Kiosk, LockerBank

_DEMO_SMS = "tongban.cases.demo.DemoSmsBackend"

# code, name, location, compartments (small, medium, large)
BANKS = [
    ("A", "一楼东侧取件柜", "政务服务中心一楼东侧出件区", (6, 8, 2)),
    ("B", "24小时自助区取件柜", "政务服务中心北门 24 小时自助服务区", (4, 4, 0)),
]
# code, name, location, hall code
KIOSKS = [
    ("yx-k1", "一楼自助终端 1 号", "政务服务中心一楼大厅入口", "yx-zwzx"),
    ("yx-k2", "24小时自助区终端", "政务服务中心北门 24 小时自助服务区", "yx-zwzx"),
    ("training", "培训演示终端", "培训演示厅（全天开放）", "yx-training"),
]
# days ago each demo deposit was placed; the last is past the uncollected limit
DEPOSIT_AGES = [1, 2, 3, 4]


def _banks(created: Counter) -> bool:
    if LockerBank.objects.filter(code=BANKS[0][0]).exists():
        return False
    for code, name, location, sizes in BANKS:
        bank = LockerBank.objects.create(code=code, name=name, location=location)
        number = 0
        for size, count in zip(
            (CompartmentSize.SMALL, CompartmentSize.MEDIUM, CompartmentSize.LARGE),
            sizes,
            strict=True,
        ):
            for _ in range(count):
                number += 1
                Compartment.objects.create(bank=bank, number=number, size=size)
        created["locker banks"] += 1
        created["compartments"] += number
    return True


def _kiosks(created: Counter) -> None:
    for code, name, location, hall_code in KIOSKS:
        if Kiosk.objects.filter(code=code).exists():
            continue
        Kiosk.objects.create(
            code=code,
            name=name,
            location=location,
            hall=Hall.objects.filter(code=hall_code).first(),
        )
        created["kiosks"] += 1


def _deposits(created: Counter, now: dt.datetime) -> None:
    clerk = User.objects.filter(username="clerk").first()
    if clerk is None:
        return
    issued = cases_selectors.results_awaiting_delivery(limit=len(DEPOSIT_AGES) + 1)
    compartments = list(
        Compartment.objects.filter(bank__code="A").order_by("number")[: len(issued)]
    )
    limit = settings.TONGBAN_LOCKER_UNCOLLECTED_DAYS
    ages = [*DEPOSIT_AGES[:-1], limit + 3, 2]  # the second-last is overdue, the last collected
    for case, compartment, age in zip(issued, compartments, ages, strict=False):
        placed_at = now - dt.timedelta(days=age)
        _deposit, code = services.deposit_place(
            actor=clerk, compartment_id=compartment.pk, case_no=case.case_no, now=placed_at
        )
        created["deposits"] += 1
        if case is issued[-1] and len(issued) == len(ages):
            services.deposit_pickup(
                code=code, kiosk_code="yx-k1", now=placed_at + dt.timedelta(hours=20)
            )
            created["collected"] += 1
    created["flagged for mailing"] += len(services.deposits_flag_uncollected(now=now))


def load(out: Callable[[str], None] = print) -> dict[str, int]:
    created: Counter = Counter()
    now = timezone.now()
    with override_settings(TONGBAN_SMS_BACKEND=_DEMO_SMS), transaction.atomic():
        fresh = _banks(created)
        _kiosks(created)
        if fresh:
            _deposits(created, now)
    if created:
        out("selfservice: " + ", ".join(f"{n} {what}" for what, n in created.items()))
    else:
        out("selfservice: already loaded")
    return dict(created)
