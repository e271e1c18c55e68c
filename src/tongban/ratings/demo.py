"""Ratings on the demo district: the concluded demo cases rated by their applicants (mostly
good, some bad), counter visits rated on a window device, and the bad ratings' rectifications
(those of the cases and those the hotline demo's callbacks opened) moved on so that every state
is present: 待回访核实, 整改中 (some overdue), 待审核, 已办结 with each outcome, an appeal
pending and one upheld by a separate reviewer.

Runs after the cases and hotline demos (INSTALLED_APPS order) and before supervision's. Every
write goes through the ratings services, the clock moved with ``time_machine`` (as the cases
demo does). Idempotent: a rated case is never rated again, a device is registered once, and a
rectification is only moved on while it still waits for its first step.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from tongban.core import workdays
from tongban.core.errors import DomainError
from tongban.core.models import Department, User
from tongban.core.permissions import Perm, Role, has_perm
from tongban.core.services import staff_create

from . import service_events, services
from .models import (
    AppealResult,
    Level,
    Rating,
    RatingChannel,
    RatingDevice,
    Rectification,
    RectificationOutcome,
    RectificationStatus,
    ServiceKind,
)
from .services.ratings import _record, question_set_for

SEED = 20261
RATED_SHARE = 0.8
# 非常满意 / 满意 / 基本满意 / 不满意 / 非常不满意
LEVEL_WEIGHTS = [(5, 72), (4, 17), (3, 6), (2, 3), (1, 2)]
DEVICE_CODE = "DEMO-ZWZX-01"
DEVICE_VISITS = 40
_DEMO_SMS = "tongban.cases.demo.DemoSmsBackend"

# (username, display name, department code, role)
STAFF = [
    ("supervisor_fh", "钱复核", "xzsp", Role.SUPERVISOR),
]
COMMENTS = {
    "good": ["办事很快，工作人员耐心", "一次就办好了", "指南写得清楚", "网上提交很方便", ""],
    "bad": ["等了很久也没有人说明进度", "材料要求前后说法不一致", "跑了两趟才办成"],
}
REPLIES = {
    RectificationOutcome.IMMEDIATE: "已当场向群众说明并致歉，窗口已统一告知口径。",
    RectificationOutcome.DEADLINE: "已制定整改措施，于期限内完成指南修订并回复群众。",
    RectificationOutcome.EXPLAINED: "群众诉求无法律依据，已耐心解释相关规定，群众表示理解。",
}


def users() -> list[tuple[str, str]]:
    return [(str(role), username) for username, _name, _dept, role in STAFF]


def _staff(created: Counter) -> None:
    departments = {d.code: d for d in Department.objects.all()}
    for username, name, dept, role in STAFF:
        if User.objects.filter(username=username).exists() or dept not in departments:
            continue
        staff_create(
            username=username,
            password=settings.TONGBAN_DEMO_PASSWORD,
            display_name=name,
            department=departments[dept],
            roles=[role],
        )
        created["staff"] += 1


def _level(rng: random.Random) -> int:
    return rng.choices([lv for lv, _w in LEVEL_WEIGHTS], [w for _lv, w in LEVEL_WEIGHTS])[0]


def _reasons(rng: random.Random, scope: str, level: int) -> list[str]:
    band = "bad" if level <= Level.DISSATISFIED else "good"
    offered = (question_set_for(scope).reasons or {}).get(band, [])
    return rng.sample(offered, k=min(len(offered), rng.randint(0, 2)))


def _rate_cases(rng: random.Random, now: dt.datetime, created: Counter) -> None:
    rated = Rating.objects.filter(service_kind=ServiceKind.CASE).values("service_ref")
    refs = list(
        service_events.Case.objects.filter(
            status__in=service_events.CONCLUDED_CASE, decided_at__isnull=False
        )
        .exclude(case_no__in=rated)
        .order_by("case_no")
        .values_list("case_no", flat=True)
    )
    for ref in refs:
        r = random.Random(f"{SEED}:{ref}")  # noqa: S311 (demo data, not security)
        if r.random() > RATED_SHARE:
            continue
        event = service_events.case_event(ref)
        if event is None or not event.concluded or event.concluded_at is None:
            continue
        at = event.concluded_at + dt.timedelta(minutes=r.randint(30, 72 * 60))
        if at >= now:
            continue
        level = _level(r)
        channel = RatingChannel.WEB if event.online else RatingChannel.SMS
        scope = "online" if event.online else "offline"
        try:
            with transaction.atomic():
                first = _record(
                    event=event,
                    channel=channel,
                    level=level,
                    reasons=_reasons(r, scope, level),
                    comment=r.choice(COMMENTS["bad" if level <= 2 else "good"]),
                    person_id=event.person_id,
                    at=at,
                )
                created["ratings"] += 1
                later = at + dt.timedelta(days=r.randint(2, 10))
                if r.random() < 0.05 and later < now:  # a few follow-ups (追评)
                    _record(
                        event=event,
                        channel=RatingChannel.WEB,
                        level=min(5, first.level + 1),
                        comment="补充评价：后续服务有改进",
                        person_id=event.person_id,
                        follow_up=True,
                        at=later,
                    )
                    created["follow-ups"] += 1
        except DomainError:
            continue


def _device_visits(rng: random.Random, now: dt.datetime, created: Counter, out) -> None:
    import time_machine

    if RatingDevice.objects.filter(code=DEVICE_CODE).exists():
        return
    department = Department.objects.filter(code="zwzx").first()
    clerk = User.objects.filter(username="clerk").first()
    if department is None or clerk is None:
        return
    device, token = services.device_register(
        code=DEVICE_CODE, department=department, window="1号窗口"
    )
    created["devices"] += 1
    out(f"ratings: window device {device.code} pairing URL: {services.pairing_url(token)}")
    today = workdays.business_date(now)
    day = today - dt.timedelta(days=45)
    visits = 0
    while visits < DEVICE_VISITS and day < today:
        day += dt.timedelta(days=1)
        if not workdays.is_workday(day):
            continue
        for _ in range(2):
            minute = rng.randint(9 * 60, 16 * 60)
            served = dt.datetime.combine(day, dt.time(), tzinfo=workdays.BUSINESS_TZ)
            served += dt.timedelta(minutes=minute)
            try:
                with time_machine.travel(served, tick=False):
                    services.device_request_push(actor=clerk, device_code=device.code)
                with time_machine.travel(served + dt.timedelta(seconds=40), tick=False):
                    services.rating_submit_device(device_token=token, level=_level(rng))
            except DomainError:
                continue
            visits += 1
            created["device ratings"] += 1


def _handler_of(department_id: int, cache: dict, created: Counter) -> User | None:
    if department_id in cache:
        return cache[department_id]
    found = None
    for user in User.objects.filter(is_active=True, staff__department_id=department_id):
        if has_perm(user, Perm.RECTIFICATION_HANDLE):
            found = user
            break
    if found is None:
        department = Department.objects.get(pk=department_id)
        username = f"zg_{department.code}".replace("-", "_")[:150]
        found = User.objects.filter(username=username).first() or staff_create(
            username=username,
            password=settings.TONGBAN_DEMO_PASSWORD,
            display_name=f"{department.short_name or department.name}整改专员"[:64],
            department=department,
            roles=[Role.HANDLER],
        )
        created["staff"] += 1
    cache[department_id] = found
    return found


def _at(day_start: dt.datetime, days: int, minutes: int) -> dt.datetime:
    day = workdays.add_workdays(workdays.business_date(day_start), days)
    base = dt.datetime.combine(day, dt.time(9), tzinfo=workdays.BUSINESS_TZ)
    return base + dt.timedelta(minutes=minutes)


# One scenario per rectification old enough to reach any state, by its rank among those, so that
# every state appears even in a small demo; recent ones go as far as the clock allows.
SCENARIOS = [
    "closed:immediate",
    "appeal_upheld",
    "verifying",
    "closed:deadline",
    "appeal_pending",
    "reviewing",
    "closed:explained",
    "rectifying",
    "late_verify",
    "closed:immediate",
    "closed:deadline",
    "closed:explained",
]


def _progress(now: dt.datetime, created: Counter) -> None:
    """Move each rectification still waiting for its first step along its scenario, as far as
    the clock allows (recent ones stay in their early states; "verifying" ones stay there and
    become overdue)."""
    import time_machine

    supervisor = User.objects.filter(username="supervisor").first()
    second = User.objects.filter(username="supervisor_fh").first()
    if supervisor is None or second is None:
        return
    handlers: dict[int, User | None] = {}
    # rank among the rectifications old enough to reach any state (reviewed 4 working days on)
    ranks: dict[int, int] = {}
    for pk, rated_at in Rectification.objects.order_by("id").values_list("id", "rating__rated_at"):
        if _at(rated_at, 4, 60) < now:
            ranks[pk] = len(ranks)
    waiting = Rectification.objects.filter(
        status=RectificationStatus.VERIFYING, verified_at__isnull=True, appeal_status=""
    ).select_related("rating")
    for r in waiting.order_by("id"):
        if r.events.count() != 1:
            continue
        scenario = SCENARIOS[ranks[r.pk] % len(SCENARIOS)] if r.pk in ranks else "recent"
        if scenario == "verifying":
            continue
        handler = _handler_of(r.department_id, handlers, created)
        if handler is None:
            continue
        start = r.rating.rated_at
        late = scenario == "late_verify"
        verify_at = _at(start, 2, 30) if late else start + dt.timedelta(hours=3)
        respond_at = _at(start, 3, 90)
        review_at = _at(start, 4, 60)
        try:
            if verify_at >= now:
                continue
            with time_machine.travel(verify_at, tick=False):
                r = services.rectification_verify(
                    actor=handler, pk=r.pk, note="已电话回访，核实情况属实"
                )
            created["verified"] += 1
            if scenario.startswith("appeal"):  # the department appeals
                with time_machine.travel(verify_at + dt.timedelta(minutes=20), tick=False):
                    r = services.rectification_appeal(
                        actor=handler, pk=r.pk, reason="回访中评价人表示系误操作，申请复核"
                    )
                if scenario == "appeal_upheld" and review_at < now:
                    with time_machine.travel(review_at, tick=False):
                        services.rectification_appeal_decide(
                            actor=second,
                            pk=r.pk,
                            result=AppealResult.MISTAKEN,
                            note="经核实为误评，申诉成立",
                        )
                    created["appeals upheld"] += 1
                continue
            if scenario in ("rectifying", "late_verify") or respond_at >= now:  # 整改中
                continue
            outcome = (
                RectificationOutcome(scenario.split(":")[1])
                if scenario.startswith("closed:")
                else RectificationOutcome.IMMEDIATE
            )
            fix_by = workdays.business_date(respond_at).isoformat()
            with time_machine.travel(respond_at, tick=False):
                r = services.rectification_respond(
                    actor=handler,
                    pk=r.pk,
                    outcome=outcome,
                    reply=REPLIES[outcome],
                    fix_by=fix_by if outcome == RectificationOutcome.DEADLINE else None,
                )
            if scenario == "reviewing" or review_at >= now:  # 待审核
                continue
            with time_machine.travel(review_at, tick=False):
                services.rectification_review(actor=supervisor, pk=r.pk, approve=True)
            created["closed"] += 1
        except DomainError:
            continue


def load(out: Callable[[str], None] = print) -> dict[str, int]:
    try:
        import time_machine  # noqa: F401  (a dev dependency, which `make demo` installs)
    except ImportError:
        out("ratings: skipped: the demo ratings need the time-machine package (tongban[dev])")
        return {}
    created: Counter = Counter()
    now = timezone.now()
    rng = random.Random(SEED)  # noqa: S311 (demo data, not security)
    with override_settings(TONGBAN_SMS_BACKEND=_DEMO_SMS, DEBUG=False):
        _staff(created)
        _rate_cases(rng, now, created)
        _device_visits(rng, now, created, out)
        _progress(now, created)
    if created:
        out("ratings: " + ", ".join(f"{n} {what}" for what, n in created.items()))
    else:
        out("ratings: nothing to do (already loaded)")
    return dict(created)
