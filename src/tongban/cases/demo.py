"""Demo cases (办件) of 云溪区: about 2,000 applications over the past six months.

Every case is made by the case services, in order, each call at the past moment it happened
(``time_machine`` moves the clock): the events, their hash chain, the case numbers and the clocks
are exactly what real use would have left. The mix covers every status, every channel, on-time
and late decisions (yellow and red cards), deemed acceptance (第三十二条), extensions (第四十二条),
special procedures (第四十五条), instant items decided the same day, corrections, refusals,
denials and withdrawals.

Before the cases, ``load`` registers a few hundred fictional applicants (valid ID numbers, some
with online accounts), twenty fictional enterprises, and a reviewer and an approver for every
department with demo items that has none. ``users()`` lists the accounts it adds.

``load`` is idempotent: each case carries the idempotency key ``demo-case-NNNNN``; when every key
is there it does nothing, and an interrupted load resumes where it stopped. It is deterministic:
one seeded random generator plans everything (relative to today's date).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from PIL import Image
from pypinyin import lazy_pinyin
from stdnum.cn import ric, uscc

from tongban.catalog import selectors as catalog_selectors
from tongban.catalog.demo_data import ITEMS
from tongban.core import workdays
from tongban.core.demo import APPLICANTS, DISTRICT, STAFF, STREETS
from tongban.core.errors import CalendarNotCovered
from tongban.core.models import Department, Enterprise, Person, Region, User
from tongban.core.permissions import Role
from tongban.core.services import (
    applicant_account_create,
    enterprise_register,
    person_register,
    staff_create,
)

from . import clocks, demo_approvals, demo_bundles, demo_instant, demo_licences
from .demo_data import (
    BIRTHPLACES,
    CARRIERS,
    CORRECTION_DETAILS,
    CORRECTION_NOTES,
    DENY_REASONS,
    ENTERPRISES,
    EXTEND_REASONS,
    GIVEN_FEMALE,
    GIVEN_MALE,
    OPINIONS,
    REFUSE_REASONS,
    ROADS,
    SURNAMES,
    SUSPEND_REASONS,
    WITHDRAW_REASONS,
)
from .models import Case, CaseEvent, DeliveryMethod, ItemProcedure, MaterialStatus, TaskStatus
from .models.procedure import DEFAULT_STEPS
from .services import (
    case_accept,
    case_archive,
    case_create,
    case_decide,
    case_deliver,
    case_extend,
    case_issue,
    case_material_add,
    case_refuse,
    case_request_correction,
    case_resubmit,
    case_resume,
    case_submit,
    case_suspend,
    case_withdraw,
    task_complete,
)
from .states import TRANSITIONS
from .states import CaseAction as A
from .states import CaseStatus as S

DEFAULT_COUNT = 2000
SEED = 20260521
KEY_PREFIX = "demo-case-"
PEOPLE = 300  # generated applicants
ACCOUNTS = 40  # of them with an online account (the first ones)
WINDOW_DAYS = 183  # how far back the cases go
CHUNK = 100  # cases per transaction
TZ = workdays.BUSINESS_TZ

# The status each case ends in, and its share of the demo (archived takes what is left).
MIX = [
    (S.DELIVERED, 0.11),
    (S.IN_REVIEW, 0.12),
    (S.SUBMITTED, 0.035),
    (S.DRAFT, 0.03),
    (S.ISSUED, 0.025),
    (S.CORRECTION_REQUESTED, 0.025),
    (S.SUSPENDED, 0.02),
    (S.WITHDRAWN, 0.02),
    (S.APPROVED, 0.015),
    (S.DENIED, 0.015),
    (S.NOT_ACCEPTED, 0.015),
]
CHANNELS = [("window", 38), ("web", 30), ("mobile", 24), ("kiosk", 8)]
# Cards of the cases still in review today, in a repeating pattern (every kind present early).
# "yellow+extended": past the promised limit, the legal one extended by the head (第四十二条).
IN_REVIEW_CARDS = ["", "blue", "yellow", "", "red", "", "blue", "yellow+extended", "", ""]
# How concluded cases ended, in a repeating pattern of 25.
CLOSED_PATHS = ["approve"] * 21 + ["deny", "refuse", "withdraw", "withdraw"]
DELIVERED_PATHS = ["approve"] * 18 + ["deny", "refuse"]


def _random(seed) -> random.Random:
    return random.Random(seed)  # noqa: S311 - demo data, not secrets


# ---------------------------------------------------------------------------------------------
# Fictional people, enterprises and staff (pure functions of the seed: `users()` needs no DB).


@dataclass(frozen=True)
class PersonSpec:
    name: str
    id_number: str
    phone: str
    address: str
    street: str
    username: str = ""


def _id_number(rng: random.Random, male: bool, used: set[str]) -> str:
    while True:
        birth = dt.date(1946, 1, 1) + dt.timedelta(days=rng.randint(0, 60 * 365))
        seq = rng.randint(0, 99) * 10 + rng.choice([1, 3, 5, 7, 9] if male else [0, 2, 4, 6, 8])
        body = f"{rng.choice(BIRTHPLACES)}{birth:%Y%m%d}{seq:03d}"
        number = body + ric.calc_check_digit(body + "0")
        if number not in used and ric.is_valid(number):
            used.add(number)
            return number


@functools.cache
def people() -> list[PersonSpec]:
    """The generated applicants; the first ``ACCOUNTS`` apply online too."""
    rng = _random(f"{SEED}-people")
    used = {row[2] for row in APPLICANTS}
    streets = [(code, name, communities) for code, name, communities in STREETS]
    result = []
    for index in range(PEOPLE):
        male = rng.random() < 0.5
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_MALE if male else GIVEN_FEMALE)
        code, street, communities = rng.choice(streets)
        address = (
            f"云溪区{street}{rng.choice(communities)}{rng.choice(ROADS)}{rng.randint(1, 199)}号"
        )
        username = ""
        if index < ACCOUNTS:
            username = "".join(lazy_pinyin(name)) + str(index + 1)  # unique: the index
        result.append(
            PersonSpec(
                name=name,
                id_number=_id_number(rng, male, used),
                phone=f"139{57200000 + index * 37:08d}",
                address=address,
                street=code,
                username=username,
            )
        )
    return result


def enterprises() -> list[tuple[str, str, int]]:
    """(name, credit code, index of the legal representative in ``people()``)."""
    rng = _random(f"{SEED}-enterprises")
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    rows = []
    for index, (trade, suffix) in enumerate(ENTERPRISES):
        body = f"91{DISTRICT[0]}MA2" + "".join(rng.choice(alphabet) for _ in range(6))
        code = body + uscc.calc_check_digit(body)
        # Represented by the last account holders (the first ones apply only for themselves).
        rep = (ACCOUNTS - len(ENTERPRISES) + index) % ACCOUNTS
        rows.append((f"{DISTRICT[1][:2]}{trade}{suffix}", code, rep))
    return rows


STAFF_SURNAMES = "钱孙冯蒋沈韩杨朱秦许何吕施张孔曹严华金魏陶姜戚谢邹喻柏窦章云苏潘葛"


def departments_needing_staff() -> list[tuple[str, str]]:
    """(department code, role) of each demo-item department lacking a reviewer or approver."""
    have = {(dept, str(role)) for _u, _n, dept, roles in STAFF for role in roles}
    result = []
    for dept in sorted({spec["department"] for spec in ITEMS}):
        for role in (Role.REVIEWER, Role.APPROVER):
            if (dept, str(role)) not in have:
                result.append((dept, str(role)))
    return result


def _staff_specs() -> list[tuple[str, str, str, str]]:
    """(username, display name, department code, role) of the staff this module adds."""
    rows = []
    depts = sorted({d for d, _r in departments_needing_staff()})
    for dept, role in departments_needing_staff():
        surname = STAFF_SURNAMES[depts.index(dept) * 2 + (role == Role.APPROVER)]
        label = "审查" if role == Role.REVIEWER else "批准"
        rows.append((f"{role}_{dept}", surname + label, dept, role))
    return rows


def users() -> list[tuple[str, str]]:
    """(role, username) of every account this module adds."""
    rows = [(role, username) for username, _name, _dept, role in _staff_specs()]
    rows.extend((str(Role.REVIEWER), username) for username, *_rest in demo_approvals.STAFF)
    rows.extend(("applicant", p.username) for p in people() if p.username)
    return rows


# ---------------------------------------------------------------------------------------------
# Plans: what happens to each case, and when.


@dataclass
class Step:
    at: dt.datetime
    op: str
    kw: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    key: str
    target: str
    version: Any
    channel: str
    person: Person
    enterprise: Enterprise | None
    applicant_actor: User  # the applicant's account, or the window clerk
    clerk: User
    answers: dict[str, str]
    needs: list[Any]  # required catalog Materials
    steps: list[Step] = field(default_factory=list)


def _moment(day: dt.date, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=TZ) + dt.timedelta(minutes=minute)


class _Timeline:
    """Steps in order; a step never comes before the previous one."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.steps: list[Step] = []

    @property
    def cursor(self) -> dt.datetime | None:
        return self.steps[-1].at if self.steps else None

    def add(self, at: dt.datetime, op: str, **kw) -> None:
        if self.cursor is not None and at <= self.cursor:
            at = self.cursor + dt.timedelta(minutes=self.rng.randint(2, 25))
        self.steps.append(Step(at, op, kw))

    def staff(self, day: dt.date, op: str, **kw) -> None:
        """A staff action in working hours of a working day."""
        self.add(_moment(day, self.rng.randint(8 * 60 + 35, 16 * 60 + 50)), op, **kw)

    def soon(self, op: str, lo: int = 1, hi: int = 12, **kw) -> None:
        self.add(self.cursor + dt.timedelta(minutes=self.rng.randint(lo, hi)), op, **kw)


@dataclass
class Review:
    """A review, in working days after acceptance (the pause adds its length)."""

    k: int  # decision
    handle: int  # the non-final steps are done by then
    pause: tuple[int, int, str, int] | None = None  # (start, length, kind, expected days)
    extend: int | None = None
    approve: bool = True

    @property
    def decision(self) -> int:
        return self.k + (self.pause[1] if self.pause else 0)


class _Planner:
    def __init__(self, *, now: dt.datetime, versions, people_, enterprises_, clerks):
        self.rng = _random(SEED)
        self.now = now
        self.today = workdays.business_date(now)
        self.last_staff_day = workdays.add_workdays(self.today, -1)
        self.first_day = self.today - dt.timedelta(days=WINDOW_DAYS)
        self.max_back = workdays.workdays_between(self.first_day, self.last_staff_day) - 8
        self.versions = versions
        self.weights = [self._popularity(v) for v in versions]
        self.people = people_
        self.online_people = [p for p in people_ if p.user_id]
        self.enterprises = enterprises_
        self.online_enterprises = [e for e in enterprises_ if e.online]
        self.clerks = clerks
        self.procedures = {p.item_id: p.steps for p in ItemProcedure.objects.all() if p.steps}
        self.instant_history = demo_instant.HistoryFit(people_)  # the 秒批 items' past cases

    # -- choices ------------------------------------------------------------------------------

    def _popularity(self, version) -> float:
        r = _random(f"{SEED}-{version.item.implementation_code}")
        weight = 3.0 if version.handling_type == "instant" else 2.0
        if version.applicant_kind == "enterprise":
            weight = 1.0
        if version.legal_limit_days >= 45:
            weight = 0.4
        return weight * r.uniform(0.4, 1.6)

    def _channel(self, online: bool | None = None) -> str:
        rng = self.rng
        choices = [c for c in CHANNELS if online is None or (c[0] != "window") == online]
        return rng.choices([c for c, _w in choices], [w for _c, w in choices])[0]

    def _pick(self, key: str, target: str, *, online: bool | None = None, special=False):
        rng = self.rng
        channel = self._channel(online)
        candidates = [
            (v, w)
            for v, w in zip(self.versions, self.weights, strict=True)
            if channel in v.channels or not v.channels
        ]
        if special:
            candidates = [(v, w) for v, w in candidates if v.procedures_special]
        if target in (S.IN_REVIEW, S.SUSPENDED):
            candidates = [(v, w) for v, w in candidates if v.promised_limit_days > 0]
        version = rng.choices([v for v, _w in candidates], [w for _v, w in candidates])[0]
        kind = version.applicant_kind
        as_enterprise = kind == "enterprise" or (kind == "both" and rng.random() < 0.35)
        is_online = channel != "window"
        enterprise = None
        if as_enterprise:
            enterprise = rng.choice(self.online_enterprises if is_online else self.enterprises)
            person = enterprise.rep
        elif is_online:
            person = rng.choice(self.online_people)
        else:
            person = rng.choice(self.people)
        clerk = self.clerks[0] if is_online or rng.random() < 0.7 else self.clerks[1]
        answers = {}
        chosen: set[int] = set()
        for question in version.questions.all():
            if question.shown_if_id is not None and question.shown_if_id not in chosen:
                continue
            option = rng.choice(list(question.options.all()))
            answers[question.code] = option.code
            chosen.add(option.id)
        result = catalog_selectors.materials_for(version, answers)
        return Plan(
            key=key,
            target=target,
            version=version,
            channel=channel,
            person=person,
            enterprise=enterprise,
            applicant_actor=person.user if is_online else clerk,
            clerk=clerk,
            answers=answers,
            needs=[n.material for n in result.materials if n.required],
        )

    # -- days ---------------------------------------------------------------------------------

    def back(self, n: int) -> dt.date:
        """The working day ``n`` working days before the last one before today."""
        return workdays.add_workdays(self.last_staff_day, -n) if n else self.last_staff_day

    def day_before(self, day: dt.date, r: int) -> dt.date:
        """A calendar day with ``r`` working days after it up to ``day`` (weekends included)."""
        if r <= 0:
            return day
        latest = workdays.add_workdays(day, -r)
        earliest = workdays.add_workdays(day, -r - 1) + dt.timedelta(days=1)
        return earliest + dt.timedelta(days=self.rng.randint(0, (latest - earliest).days))

    def online_time(self, day: dt.date, *, before_work: bool = False) -> dt.datetime:
        hi = 10 * 60 + 30 if before_work else 22 * 60 + 50
        at = _moment(day, self.rng.randint(7 * 60 + 30, hi))
        latest = self.now - dt.timedelta(minutes=20)
        if at > latest:
            at = latest - dt.timedelta(minutes=self.rng.randint(0, 120))
        return at

    # -- the applicant's part -----------------------------------------------------------------

    def _material_steps(self, p: Plan, tl: _Timeline) -> None:
        rng = self.rng
        window = p.channel == "window"
        for material in p.needs:
            if material.licence_type and rng.random() < 0.9:
                status, kind = MaterialStatus.LICENCE, ""
            elif material.commitment_replaceable and rng.random() < 0.5:
                status, kind = MaterialStatus.COMMITMENT, ""
            elif material.deferrable and window and rng.random() < 0.4:
                status, kind = MaterialStatus.DEFERRED, ""
            elif window and rng.random() < 0.6:
                status, kind = MaterialStatus.PAPER, ""
            else:
                status = MaterialStatus.PROVIDED
                kind = "pdf" if window or p.channel == "kiosk" or rng.random() < 0.4 else "png"
            tl.soon("material", 1, 4, seq=material.seq, status=status, kind=kind)

    def _apply(self, p: Plan, tl: _Timeline, submit_at: dt.datetime, *, submit=True) -> None:
        """Create the case, add its materials, submit it at ``submit_at``."""
        rng = self.rng
        span = dt.timedelta(minutes=len(p.needs) * 3 + rng.randint(3, 15))
        create_at = submit_at - span
        if p.channel != "window" and rng.random() < 0.15:
            create_at -= dt.timedelta(days=rng.randint(1, 3), minutes=rng.randint(0, 300))
        tl.add(create_at, "create")
        self._material_steps(p, tl)
        if submit:
            tl.add(max(submit_at, tl.cursor + dt.timedelta(minutes=1)), "submit")

    def _intake(self, p: Plan, tl: _Timeline, day: dt.date, *, outcome: str, correction=False):
        """From creation to the clerk's decision on ``day``: accept, refuse, or (``correct``)
        the correction notice; with ``correction`` a notice and a resubmission come first."""
        rng = self.rng
        decide = outcome  # the op: accept, refuse or correct
        if p.channel == "window":
            if correction:
                first = workdays.add_workdays(day, -rng.randint(1, 6))
                self._apply(p, tl, _moment(first, rng.randint(8 * 60 + 40, 16 * 60 + 20)))
                tl.soon("correct", 2, 10)
                tl.staff(day, "material_again")
                tl.soon("resubmit", 1, 5)
            else:
                self._apply(p, tl, _moment(day, rng.randint(8 * 60 + 40, 16 * 60 + 20)))
            tl.soon(decide, 2, 8)
            return
        if correction and outcome != "correct":
            r = rng.choice([0, 1, 1, 2])
            resubmit_day = self.day_before(day, r)
            notice_day = workdays.add_workdays(
                resubmit_day - dt.timedelta(days=rng.randint(0, 6)), -1
            )
            rc = rng.choice([0, 1, 1, 2, 3])
            first = self.day_before(notice_day, rc)
            self._apply(p, tl, self.online_time(first, before_work=rc == 0))
            tl.staff(notice_day, "correct")
            tl.add(self.online_time(resubmit_day, before_work=r == 0), "material_again")
            tl.soon("resubmit", 1, 5)
        else:
            deemed = outcome == "accept" and rng.random() < 0.03
            r = rng.randint(6, 9) if deemed else rng.choice([0, 1, 1, 1, 2, 2, 3])
            first = self.day_before(day, r)
            self._apply(p, tl, self.online_time(first, before_work=r == 0))
        tl.staff(day, decide)

    # -- the staff's part ---------------------------------------------------------------------

    def _steps_of(self, p: Plan) -> list[dict]:
        return self.procedures.get(p.version.item_id) or DEFAULT_STEPS

    def _review_plan(self, p: Plan, *, k: int | None = None, approve=True) -> Review:
        rng = self.rng
        P, L = p.version.promised_limit_days, p.version.legal_limit_days
        if k is None:
            if P == 0:
                k = 0
            else:
                r = rng.random()
                if r < 0.94:
                    k = max(0, round(P * rng.uniform(0.2, 1.0)))
                elif r < 0.985 and L > P:
                    k = rng.randint(P + 1, L)
                else:
                    k = rng.randint(L + 1, L + 4)
        review = Review(k=k, handle=rng.randint(0, k), approve=approve)
        special = p.version.procedures_special
        if special and k >= 1 and rng.random() < 0.4:
            sp = rng.choice(special)
            expected = _expected_days(sp)
            length = max(1, expected + rng.randint(-2, 1))
            review.pause = (rng.randint(review.handle, k), length, sp.kind, expected)
        if P and k > L - 3 and rng.random() < 0.6:
            review.extend = rng.randint(max(review.handle, min(k, L) - 3), k)
        return review

    def _review(self, p: Plan, tl: _Timeline, accept_day: dt.date, rv: Review, *, upto=None):
        """The review events after acceptance on ``accept_day`` (up to offset ``upto``)."""
        length = rv.pause[1] if rv.pause else 0
        steps = self._steps_of(p)
        events: list[tuple[int, str, dict]] = []
        for index in range(len(steps) - 1):
            events.append((rv.handle, "step", {"index": index}))
        if rv.pause:
            start, length, kind, expected = rv.pause
            events.append((start, "suspend", {"kind": kind, "expected": expected}))
            events.append((start + length, "resume", {}))
        if rv.extend is not None:
            events.append(
                (rv.extend + (length if rv.pause and rv.extend >= rv.pause[0] else 0), "extend", {})
            )
        events.append((rv.decision, "decide", {"approve": rv.approve}))
        events.sort(key=lambda e: e[0])  # stable: the logical order within a day stays
        for offset, op, kw in events:
            if upto is not None and offset > upto:
                break
            if p.version.promised_limit_days == 0 and offset == 0:
                tl.soon(op, 5, 60, **kw)
            else:
                tl.staff(workdays.add_workdays(accept_day, offset), op, **kw)

    def _gap(self, p: Plan, stage: str) -> int:
        rng = self.rng
        if stage == "issue":
            return 0 if p.version.promised_limit_days == 0 else rng.choice([0, 0, 1, 1, 2])
        if stage == "deliver":
            return rng.choice([0, 0, 1, 1, 2, 3, 5])
        return rng.randint(5, 20)  # archive

    # -- one plan per target status -------------------------------------------------------------

    def plan(self, index: int, target: str, variant: str) -> Plan:
        key = f"{KEY_PREFIX}{index:05d}"
        for _attempt in range(400):
            p = self._build(key, target, variant)
            if p is not None and self._valid(p, variant) and self.instant_history.fits(p):
                return p
        raise RuntimeError(f"demo cases: could not plan a {target} ({variant}) case")

    def _build(self, key: str, target: str, variant: str) -> Plan | None:
        rng = self.rng
        tl = _Timeline(rng)
        if target == S.DRAFT:
            p = self._pick(key, target, online=True)
            recent = rng.random() < 0.5
            days = rng.randint(0, 30 if recent else WINDOW_DAYS - 5)
            self._apply(p, tl, self.online_time(self.today - dt.timedelta(days=days)), submit=False)
            tl.steps = tl.steps[: 1 + rng.randint(0, len(p.needs))]
        elif target == S.SUBMITTED:
            p = self._pick(key, target, online=True)
            r = rng.randint(6, 11) if variant == "deemed" else rng.randint(0, 3)
            day = self.day_before(self.today, r)
            self._apply(p, tl, self.online_time(day))
        elif target == S.CORRECTION_REQUESTED:
            p = self._pick(key, target)
            self._intake(p, tl, self.back(rng.randint(0, 25)), outcome="correct")
        elif target == S.NOT_ACCEPTED:
            p = self._pick(key, target)
            day = self.back(rng.randint(0, self.max_back))
            self._intake(p, tl, day, outcome="refuse", correction=rng.random() < 0.2)
        elif target == S.WITHDRAWN:
            p = self._pick(key, target)
            self._withdrawn(p, tl, self.back(rng.randint(0, 12)), variant)
        elif target in (S.IN_REVIEW, S.SUSPENDED):
            p = self._pick(key, target, special=target == S.SUSPENDED)
            self._open_review(p, tl, target, variant)
        else:
            p = self._pick(key, target)
            if not self._concluded(p, tl, target, variant):
                return None
        p.steps = tl.steps
        return p

    def _withdrawn(self, p: Plan, tl: _Timeline, day: dt.date, variant: str, *, archive=None):
        rng = self.rng
        reason = rng.choice(WITHDRAW_REASONS)
        if variant == "before_acceptance" or p.version.promised_limit_days == 0:
            if p.channel == "window":
                self._apply(p, tl, _moment(day, rng.randint(8 * 60 + 40, 15 * 60)))
                tl.soon("withdraw", 3, 30, reason=reason)
            else:
                first = self.day_before(day, rng.choice([0, 1]))
                self._apply(p, tl, self.online_time(first, before_work=True))
                tl.add(self.online_time(day), "withdraw", reason=reason)
        else:
            n = rng.randint(1, 8)
            accept_day = workdays.add_workdays(day, -n)
            self._intake(p, tl, accept_day, outcome="accept")
            rv = self._review_plan(p, k=n + 5)
            self._review(p, tl, accept_day, rv, upto=n - 1)
            if p.channel == "window":
                tl.staff(day, "withdraw", reason=reason)
            else:
                tl.add(self.online_time(day), "withdraw", reason=reason)
        if archive is not None:
            tl.staff(workdays.add_workdays(day, archive), "archive")

    def _open_review(self, p: Plan, tl: _Timeline, target: str, variant: str) -> None:
        rng = self.rng
        P, L = p.version.promised_limit_days, p.version.legal_limit_days
        rv = self._review_plan(p, k=10_000)
        rv.pause = None
        rv.extend = None
        if target == S.SUSPENDED:
            n = rng.randint(1, min(12, max(1, P)))
            sp = rng.choice(p.version.procedures_special)
            expected = _expected_days(sp)
            start = rng.randint(max(0, n - expected + 1), n)
            rv.handle = rng.randint(0, start)
            rv.pause = (start, 10_000, sp.kind, expected)
        else:
            ranges = {
                "": (0, max(0, min(P - 2, math.floor(0.8 * P) - 1))),
                "blue": (max(0, min(P - 1, math.ceil(0.8 * P))), P),
                "yellow": (P + 1, max(P + 1, L)),
                "red": (L + 1, L + 5),
            }
            card, _plus, extended = variant.partition("+")
            lo, hi = ranges[card]
            n = rng.randint(lo, hi)
            if extended or (card == "red" and rng.random() < 0.3):
                if card == "red":
                    n += clocks.EXTENSION_DAYS
                rv.extend = rng.randint(max(0, min(n, L) - 3), min(n, L))
            rv.handle = rng.randint(0, n) if rng.random() < 0.6 else 10_000
            if n >= 2 and not extended and p.version.procedures_special and rng.random() < 0.25:
                sp = rng.choice(p.version.procedures_special)
                start = rng.randint(min(rv.handle, n - 2), n - 2)
                length = rng.randint(1, min(n - start, _expected_days(sp) + 1))
                rv.pause = (start, length, sp.kind, _expected_days(sp))
                rv.extend = None
        accept_day = self.back(n)
        self._intake(p, tl, accept_day, outcome="accept", correction=rng.random() < 0.06)
        self._review(p, tl, accept_day, rv, upto=n)

    def _concluded(self, p: Plan, tl: _Timeline, target: str, variant: str) -> bool:
        """Approved, denied, issued, delivered or archived; the path is ``variant``."""
        rng = self.rng
        stages = {
            S.APPROVED: [],
            S.DENIED: [],
            S.ISSUED: ["issue"],
            S.DELIVERED: ["issue", "deliver"] if variant == "approve" else ["deliver"],
            S.ARCHIVED: ["issue", "deliver", "archive"]
            if variant == "approve"
            else ["deliver", "archive"],
        }[target]
        recent = {
            S.APPROVED: (0, 1),
            S.DENIED: (0, 8),
            S.ISSUED: (0, 4),
            S.DELIVERED: (0, 20),
            S.ARCHIVED: (8, self.max_back),  # filed a while after delivery
        }[target]
        if variant == "withdraw":
            archive = rng.randint(3, 12)
            day = self.back(rng.randint(archive, self.max_back))
            self._withdrawn(
                p, tl, day, rng.choice(["before_acceptance", "in_review"]), archive=archive
            )
            return True
        gaps = [self._gap(p, s) for s in stages]
        if variant == "refuse":
            span = sum(gaps)
            end = self.back(rng.randint(recent[0], max(recent[0], recent[1])))
            day = workdays.add_workdays(end, -span) if span else end
            if day < self.first_day + dt.timedelta(days=10):
                return False
            self._intake(p, tl, day, outcome="refuse", correction=rng.random() < 0.2)
            self._fixed_after(p, tl, day, stages, gaps)
            return True
        rv = self._review_plan(p, approve=variant != "deny")
        span = rv.decision + sum(gaps)
        if self.max_back - span < recent[0]:
            return False
        end = self.back(rng.randint(recent[0], min(recent[1], self.max_back - span)))
        accept_day = workdays.add_workdays(end, -span) if span else end
        self._intake(p, tl, accept_day, outcome="accept", correction=rng.random() < 0.06)
        self._review(p, tl, accept_day, rv)
        decision_day = workdays.add_workdays(accept_day, rv.decision) if rv.decision else accept_day
        self._fixed_after(p, tl, decision_day, stages, gaps)
        return True

    def _fixed_after(self, p: Plan, tl: _Timeline, day, stages, gaps) -> None:
        instant = p.version.promised_limit_days == 0
        for stage, gap in zip(stages, gaps, strict=True):
            if gap:
                day = workdays.add_workdays(day, gap)
                tl.staff(day, stage)
            elif instant or stage == "issue" or self.rng.random() < 0.5:
                tl.soon(stage, 10, 90)
            else:
                tl.staff(day, stage)

    # -- checking a plan ------------------------------------------------------------------------

    def _valid(self, p: Plan, variant: str) -> bool:
        if not p.steps or p.steps[-1].at >= self.now - dt.timedelta(minutes=1):
            return False
        if p.steps[0].at.date() < self.first_day - dt.timedelta(days=20):
            return False
        status, events = S.DRAFT, []
        received = accepted = None
        for step in p.steps:
            action = _ACTIONS[step.op]
            if step.op == "decide":
                action = A.APPROVE if step.kw["approve"] else A.DENY
            if action is None:
                continue
            sources, to = TRANSITIONS[action]
            if status not in sources:
                return False
            status = to or status
            day = workdays.business_date(step.at)
            payload: dict[str, Any] = {}
            if action in (A.SUBMIT, A.RESUBMIT):
                received = day
            elif action == A.ACCEPT:
                due = workdays.add_workdays(received, clocks.CORRECTION_NOTICE_DAYS)
                deemed = day > due
                accepted = received if deemed else day
                payload = {"accepted_on": accepted.isoformat(), "deemed": deemed}
            elif action == A.REQUEST_CORRECTION:
                if day > workdays.add_workdays(received, clocks.CORRECTION_NOTICE_DAYS):
                    return False
            elif action == A.EXTEND:
                payload = {"days": clocks.EXTENSION_DAYS}
            elif action == A.SUSPEND and not 1 <= step.kw["expected"] <= 365:
                return False
            events.append(SimpleNamespace(action=action, occurred_at=step.at, payload=payload))
        if status != p.target:
            return False
        case = SimpleNamespace(item_version=p.version, status=status)
        try:
            c = clocks.compute(case, events, today=self.today)
            if c.accepted_on is not None and c.decided_on is None:
                # An open case's deadlines must stay inside the working-day calendar for a
                # while yet (a pause moves them later every day).
                margin = c.legal_limit + c.extension_days + c.paused_days + 5
                workdays.add_workdays(c.accepted_on, margin)
        except CalendarNotCovered:
            return False
        if p.target == S.IN_REVIEW and c.card != variant.partition("+")[0]:
            return False
        if variant.endswith("+extended") and not c.extension_days:
            return False
        if p.target == S.SUBMITTED and c.deemed_accepted != (variant == "deemed"):
            return False
        return not (p.target == S.SUSPENDED and c.card == "red")


# op → the action it writes (None: no transition of its own is checked here)
_ACTIONS = {
    "create": None,
    "material": None,
    "material_again": None,
    "submit": A.SUBMIT,
    "resubmit": A.RESUBMIT,
    "correct": A.REQUEST_CORRECTION,
    "accept": A.ACCEPT,
    "refuse": A.REFUSE,
    "step": A.COMPLETE_STEP,
    "suspend": A.SUSPEND,
    "resume": A.RESUME,
    "extend": A.EXTEND,
    "decide": None,  # approve or deny: checked below through the target status
    "issue": A.ISSUE,
    "deliver": A.DELIVER,
    "archive": A.ARCHIVE,
    "withdraw": A.WITHDRAW,
}


def _expected_days(procedure) -> int:
    days = procedure.limit_days
    if procedure.limit_unit == "day":  # calendar days → working days
        days = math.ceil(days * 5 / 7)
    return max(1, min(days, 30))


def _targets(count: int) -> list[tuple[str, str]]:
    """(status, variant) for each case: the mix, with every status and variant present."""
    rows: list[tuple[str, str]] = []
    for status, share in MIX:
        n = max(2, round(share * count))
        for i in range(n):
            if status == S.IN_REVIEW:
                variant = IN_REVIEW_CARDS[i % len(IN_REVIEW_CARDS)]
            elif status == S.SUBMITTED:
                variant = "deemed" if i % 3 == 2 else ""
            elif status == S.WITHDRAWN:
                variant = "in_review" if i % 2 else "before_acceptance"
            elif status == S.DELIVERED:
                variant = DELIVERED_PATHS[i % len(DELIVERED_PATHS)]
            elif status in (S.APPROVED, S.ISSUED):
                variant = "approve"
            elif status == S.DENIED:
                variant = "deny"
            else:
                variant = ""
            rows.append((status, variant))
    rows.extend(
        (S.ARCHIVED, CLOSED_PATHS[i % len(CLOSED_PATHS)]) for i in range(max(1, count - len(rows)))
    )
    return rows[:count] if len(rows) > count else rows


# ---------------------------------------------------------------------------------------------
# Running the plans through the services.


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 40), (250, 250, 245)).save(out, format="PNG")
    return out.getvalue()


def _pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=True)
    page.setFont("Helvetica", 12)
    page.drawString(72, 760, "tongban demo material (scanned copy)")
    page.save()
    return out.getvalue()


class _Runner:
    def __init__(self, staff: dict[tuple[int, str], list[User]]):
        self.staff = staff
        self.users = {u.pk: u for members in staff.values() for u in members}
        self.files = {"png": _png(), "pdf": _pdf()}
        self.rng = _random(f"{SEED}-texts")

    def _dept(self, case: Case, role: str) -> User:
        return self.staff[(case.department_id, role)][0]

    def run(self, p: Plan, traveller) -> Case:
        case = None
        for step in p.steps:
            traveller.move_to(step.at)
            case = self._do(p, case, step)
        return case

    def _material(self, p: Plan, case: Case, seq: int, status: str, kind: str) -> None:
        material = next(m for m in p.needs if m.seq == seq)
        if status == MaterialStatus.LICENCE:  # 免证办 (issue 8): attached at creation, or none
            status, kind = demo_licences.licence_or_upload(case=case, material=material)
        if status is None:
            return
        data = self.files.get(kind)
        case_material_add(
            actor=p.applicant_actor,
            case=case,
            seq=seq,
            status=status,
            name=f"{material.name[:40]}.{kind}" if data else "",
            data=data,
        )

    def _do(self, p: Plan, case: Case | None, step: Step) -> Case:
        rng = self.rng
        op, kw = step.op, step.kw
        if op == "create":
            return case_create(
                actor=p.applicant_actor,
                item_code=p.version.item.implementation_code,
                applicant=p.person,
                enterprise=p.enterprise,
                channel=p.channel,
                answers=p.answers,
                form_data=_form_data(p),
                idempotency_key=p.key,
            )
        if op == "material":
            self._material(p, case, kw["seq"], kw["status"], kw["kind"])
            return case
        if op == "material_again":
            missing = case.events.filter(action=A.REQUEST_CORRECTION).last().payload["missing"]
            provided = [m for m in p.needs if any(x.startswith(m.name) for x in missing)]
            for material in provided or p.needs[:1]:
                kind = "pdf" if p.channel in ("window", "kiosk") else "png"
                self._material(p, case, material.seq, MaterialStatus.PROVIDED, kind)
            return case
        if op == "submit":
            return case_submit(actor=p.applicant_actor, case=case)
        if op == "resubmit":
            return case_resubmit(actor=p.applicant_actor, case=case)
        if op == "correct":
            given = case.materials.filter(
                status__in=[MaterialStatus.PROVIDED, MaterialStatus.PAPER]
            ).values_list("material__name", flat=True)
            names = sorted(set(given)) or [m.name for m in p.needs] or [p.version.name + "申请表"]
            picked = rng.sample(names, k=min(len(names), rng.choice([1, 1, 2])))
            return case_request_correction(
                actor=p.clerk,
                case=case,
                missing=[n + rng.choice(CORRECTION_DETAILS) for n in picked],
                note=rng.choice(CORRECTION_NOTES),
            )
        if op == "accept":
            return case_accept(actor=p.clerk, case=case)
        if op == "refuse":
            return case_refuse(actor=p.clerk, case=case, reason=rng.choice(REFUSE_REASONS))
        if op == "withdraw":
            return case_withdraw(actor=p.applicant_actor, case=case, reason=kw["reason"])
        if op in ("step", "decide"):
            task = case.tasks.filter(status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED]).first()
            actor = self.users.get(task.assignee_id) or self._dept(case, task.role)
            if op == "step":
                return task_complete(actor=actor, case=case, opinion=rng.choice(OPINIONS))
            approve = kw["approve"]
            if approve:  # [B] 容缺: the deferred materials come in before the approval
                demo_bundles.supply_owed(actor=p.applicant_actor, case=case, data=self.files["pdf"])
            return case_decide(
                actor=actor,
                case=case,
                approve=approve,
                reason="" if approve else rng.choice(DENY_REASONS),
            )
        if op == "suspend":
            return case_suspend(
                actor=self._dept(case, Role.REVIEWER),
                case=case,
                kind=kw["kind"],
                reason=SUSPEND_REASONS.get(kw["kind"], SUSPEND_REASONS["other"]),
                expected_days=kw["expected"],
            )
        if op == "resume":
            return case_resume(actor=self._dept(case, Role.REVIEWER), case=case)
        if op == "extend":
            return case_extend(
                actor=self._dept(case, Role.APPROVER), case=case, reason=rng.choice(EXTEND_REASONS)
            )
        if op == "issue":
            approver = self._dept(case, Role.APPROVER)
            demo_licences.before_issue(case=case, actor=approver)  # 制证 (issue 8)
            return case_issue(actor=approver, case=case)
        if op == "deliver":
            return self._deliver(p, case)
        if op == "archive":
            return case_archive(actor=None, case=case)
        raise ValueError(op)

    def _deliver(self, p: Plan, case: Case) -> Case:
        rng = self.rng
        methods = [m for m in p.version.deliveries if m in DeliveryMethod.values]
        if case.status != S.ISSUED:  # a refusal or denial notice
            methods = [m for m in methods if m != DeliveryMethod.WINDOW] or methods
        method = rng.choice(methods or [DeliveryMethod.ELECTRONIC])
        if method == DeliveryMethod.WINDOW:
            return case_deliver(actor=p.clerk, case=case, method=method)
        kw = {}
        if method == DeliveryMethod.MAIL:
            kw = {
                "carrier": rng.choice(CARRIERS),
                "tracking_no": f"11{rng.randint(10**10, 10**11 - 1)}",
            }
        return case_deliver(actor=self._dept(case, Role.REVIEWER), case=case, method=method, **kw)


def _form_data(p: Plan) -> dict[str, str]:
    """The application form's plain fields (identity numbers and phones stay on the person)."""
    values = {
        "applicant_name": p.person.name,
        "address": p.person.address,
        "contact_name": p.person.name,
    }
    if p.enterprise is not None:
        values |= {
            "entity_name": p.enterprise.name,
            "credit_code": p.enterprise.credit_code,
            "legal_representative": p.person.name,
        }
    values |= {  # an item's own fields (e.g. 房屋租赁登记备案, whose certificate is filled from them)
        "house_address": p.person.address,
        "lessor": "陈建国",
        "area": "68.5",
        "lease_end": "2027-11-30",
    }
    out = {}
    for f in p.version.form_fields:
        code = f.get("code")
        if code in values:
            out[code] = values[code]
        elif f.get("type") == "choice" and f.get("options"):
            first = f["options"][0]
            out[code] = str(first.get("code", "")) if isinstance(first, dict) else str(first)
    return out


# ---------------------------------------------------------------------------------------------
# load


def _setup(password: str, created: Counter) -> None:
    """The applicants, enterprises and staff the cases need (registered before the window)."""
    specs = people()
    existing = set(
        Person.objects.filter(id_number__in=[s.id_number for s in specs]).values_list(
            "id_number", flat=True
        )
    )
    staff_specs = [s for s in _staff_specs() if not User.objects.filter(username=s[0]).exists()]
    firms = [e for e in enterprises() if not Enterprise.objects.filter(credit_code=e[1]).exists()]
    if len(existing) == len(specs) and not staff_specs and not firms:
        return
    regions = {r.code: r for r in Region.objects.filter(code__in=[s[0] for s in STREETS])}
    departments = {d.code: d for d in Department.objects.all()}
    with transaction.atomic():
        for spec in specs:
            if spec.id_number in existing:
                continue
            person = person_register(
                name=spec.name,
                id_number=spec.id_number,
                phone=spec.phone,
                address=spec.address,
                household_region=regions.get(spec.street),
            )
            created["people"] += 1
            if spec.username and not User.objects.filter(username=spec.username).exists():
                applicant_account_create(username=spec.username, password=password, person=person)
                created["applicant accounts"] += 1
        for name, code, rep in firms:
            enterprise_register(
                name=name,
                credit_code=code,
                legal_representative=Person.objects.get(id_number=specs[rep].id_number),
                address=f"云溪区{STREETS[rep % 4][1]}{ROADS[rep % len(ROADS)]}{rep * 7 + 8}号",
                phone=f"0571-8{rep + 1:03d}6677",
                region=regions.get(STREETS[rep % 4][0]),
            )
            created["enterprises"] += 1
        for username, name, dept, role in staff_specs:
            staff_create(
                username=username,
                password=password,
                display_name=name,
                department=departments[dept],
                roles=[role],
            )
            created["staff"] += 1


class DemoSmsBackend:
    """The demo's past notices are stored for the portal; no SMS goes out for them."""

    def send(self, phone: str, text: str) -> str:
        return "demo"


_DEMO_SMS = f"{__name__}.DemoSmsBackend"


@contextlib.contextmanager
def _published_versions_read_once():
    """Published item versions do not change while the demo loads: the catalog selector that
    reads one with all its elements (for every case_create and case_submit) reads each once."""
    original = catalog_selectors.version_for_display
    memo: dict[int, Any] = {}

    def read_once(version_id: int):
        if version_id not in memo:
            memo[version_id] = original(version_id)
        return memo[version_id]

    catalog_selectors.version_for_display = read_once
    try:
        yield
    finally:
        catalog_selectors.version_for_display = original


def _count(value: int | None) -> int:
    if value is not None:
        return value
    return int(getattr(settings, "TONGBAN_DEMO_CASES", DEFAULT_COUNT))


def load(out: Callable[[str], None] = print, count: int | None = None) -> dict[str, int]:
    """Create the demo cases (``count`` of them, default 2,000 or ``TONGBAN_DEMO_CASES``), the
    e-licences of the approved ones (``demo_licences``), then the instant-approval demo on top
    of them (``demo_instant``: replay, activate, apply)."""
    demo_licences.start()
    with demo_licences.approval_refusals_counted(out):
        created = _load_demo_cases(out, count)
        demo_bundles.load(out)  # [B] bundles, 容缺 and 告知承诺 in every state
        demo_approvals.load(out)  # [B] 会签 / 或签 / 票签 / 依次审批, the approval operations
    if created:  # a second load changes nothing, not even cases approved later by demo_instant
        demo_licences.load(out)  # the e-licences of the approved cases (issue 8)
    demo_instant.load(out)
    return created


def _load_demo_cases(out: Callable[[str], None], count: int | None) -> dict[str, int]:
    count = _count(count)
    started = time.perf_counter()
    created: Counter = Counter()
    password = settings.TONGBAN_DEMO_PASSWORD
    keys = [f"{KEY_PREFIX}{i:05d}" for i in range(count)]
    done = set(
        Case.objects.filter(idempotency_key__startswith=KEY_PREFIX).values_list(
            "idempotency_key", flat=True
        )
    )
    try:
        import time_machine
    except ImportError:  # a dev dependency, which `make demo` installs
        out("cases: skipped: the demo cases need the time-machine package (tongban[dev])")
        return {}

    now = timezone.now()
    before_window = _moment(workdays.business_date(now) - dt.timedelta(days=WINDOW_DAYS + 30), 600)
    with time_machine.travel(before_window, tick=False):
        _setup(password, created)
        demo_licences.business_licences_import(out)  # 营业执照 of the demo enterprises (issue 8)
    timings = {"setup": time.perf_counter() - started}
    started = time.perf_counter()
    if all(k in done for k in keys):
        if created:
            out("cases: " + ", ".join(f"{n} {what}" for what, n in created.items()))
        else:
            out("cases: nothing to do (already loaded)")
        return dict(created)

    # DEBUG (on in local settings) would format and keep every SQL statement: off while loading.
    quiet = override_settings(TONGBAN_SMS_BACKEND=_DEMO_SMS, DEBUG=False)
    with _published_versions_read_once(), quiet:
        return _load_cases(out, count, now, done, created, timings, started)


def _load_cases(out, count, now, done, created, timings, started) -> dict[str, int]:
    import time_machine

    planner = _Planner(
        now=now,
        versions=_versions(),
        people_=_people_rows(),
        enterprises_=_enterprise_rows(),
        clerks=[User.objects.get(username="clerk"), User.objects.get(username="clerk_yx")],
    )
    plans = [
        planner.plan(i, target, variant) for i, (target, variant) in enumerate(_targets(count))
    ]
    plans = [p for p in plans if p.key not in done]
    plans.sort(key=lambda p: (p.steps[0].at, p.key))
    runner = _Runner(_staff_by_department())
    timings["planning"] = time.perf_counter() - started
    started = time.perf_counter()
    state = random.getstate()
    random.seed(SEED)  # the services' random assignment of tasks
    try:
        with time_machine.travel(plans[0].steps[0].at, tick=False) as traveller:
            for start in range(0, len(plans), CHUNK):
                with transaction.atomic():
                    for p in plans[start : start + CHUNK]:
                        try:
                            runner.run(p, traveller)
                        except Exception as exc:
                            raise RuntimeError(
                                f"demo case {p.key} ({p.target}, {p.version.name}): {exc}"
                            ) from exc
    finally:
        random.setstate(state)
    created["cases"] = len(plans)
    timings["services"] = time.perf_counter() - started
    out(
        "cases: "
        + ", ".join(f"{n} {what}" for what, n in created.items())
        + f" in {sum(timings.values()):.0f} s ("
        + ", ".join(f"{what} {t:.1f} s" for what, t in timings.items())
        + ")"
    )
    out("cases: " + summary())
    return dict(created)


def _versions():
    rows = []
    for version in catalog_selectors.published_versions().order_by("item__implementation_code"):
        full = catalog_selectors.version_for_display(version.pk)
        full.procedures_special = list(full.special_procedures.all())
        rows.append(full)
    return rows


def _people_rows() -> list[Person]:
    ids = [p.id_number for p in people()] + [row[2] for row in APPLICANTS]
    by_id = {
        p.id_number: p for p in Person.objects.filter(id_number__in=ids).select_related("user")
    }
    return [by_id[i] for i in ids if i in by_id]


def _enterprise_rows() -> list[Enterprise]:
    """The generated enterprises (registered before the demo window, so that their legal
    representatives may act for them on every past day; the core demo's enterprise is not)."""
    rows = []
    codes = [code for _n, code, _r in enterprises()]
    for enterprise in (
        Enterprise.objects.filter(credit_code__in=codes)
        .select_related("legal_representative__user")
        .order_by("credit_code")
    ):
        enterprise.rep = enterprise.legal_representative
        enterprise.online = enterprise.rep.user_id is not None
        rows.append(enterprise)
    return rows


def _staff_by_department() -> dict[tuple[int, str], list[User]]:
    result: dict[tuple[int, str], list[User]] = {}
    for user in (
        User.objects.filter(
            is_active=True, staff__isnull=False, groups__name__in=[Role.REVIEWER, Role.APPROVER]
        )
        .select_related("staff")
        .prefetch_related("groups")
        .order_by("username")
    ):
        for group in user.groups.all():
            result.setdefault((user.staff.department_id, group.name), []).append(user)
    return result


def summary() -> str:
    """Counts per status, today's cards and the on-time rate of the demo cases."""
    cases = (
        Case.objects.filter(idempotency_key__startswith=KEY_PREFIX)
        .select_related("item_version")
        .prefetch_related(_events())
    )
    statuses: Counter = Counter()
    cards: Counter = Counter()
    flags: Counter = Counter()
    today = workdays.business_date(timezone.now())
    for case in cases:
        statuses[case.status] += 1
        c = clocks.compute(case, case.demo_events, today=today)
        if c.accepted_on is None:
            continue
        if c.decided_on is None and case.status in (S.IN_REVIEW, S.SUSPENDED, S.SUBMITTED):
            cards[c.card or "none"] += 1
        if c.on_time is not None:
            flags["on time" if c.on_time else "late"] += 1
        flags["deemed accepted"] += c.deemed_accepted
        flags["extended"] += bool(c.extension_days)
        flags["paused"] += bool(c.pauses)
    decided = flags["on time"] + flags["late"]
    rate = f"{100 * flags['on time'] / decided:.1f} %" if decided else "–"
    return (
        ", ".join(f"{status} {n}" for status, n in statuses.most_common())
        + "; open cards "
        + ", ".join(f"{card} {n}" for card, n in sorted(cards.items()))
        + f"; decided on time {rate}; "
        + ", ".join(f"{what} {flags[what]}" for what in ("deemed accepted", "extended", "paused"))
    )


def _events():
    from django.db.models import Prefetch

    return Prefetch("events", queryset=CaseEvent.objects.order_by("seq"), to_attr="demo_events")
