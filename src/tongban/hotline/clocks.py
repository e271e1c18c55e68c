"""Handling limits (办理时限) and ticket clocks.

Limits are data (``HandlingLimit``): the most specific active row for a ticket's hazard, urgency,
subject (or an ancestor of it) and type applies, in that order of weight. A limit in minutes or
hours is calendar time; a limit in working days ends at the end of the n-th working day after
the start (``core.workdays``, the start day not counted). The defaults come from a published
city rule (``limits_install_defaults``).

A ticket's clock is derived from its stored dues (set at dispatch, moved by an approved
extension) and the time now: nothing flips a flag on a timer. Cards:

- blue: the handling time left is at most ``TONGBAN_HOTLINE_CARD_BLUE_SHARE`` (20 %) of it;
- yellow: the sign-for limit passed unsigned (or was signed late), or the original handling
  limit passed while an approved extension runs;
- red: the handling limit in force passed before the reply.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core import workdays

from .models import HandlingLimit, LimitUnit, Subject, Ticket

REFRESH_SECONDS = 30.0
RUNNING_STATES = frozenset({"dispatched", "handling", "return_requested"})


def blue_share() -> float:
    return float(getattr(settings, "TONGBAN_HOTLINE_CARD_BLUE_SHARE", 0.2))


@dataclass(frozen=True)
class Limits:
    name: str
    sign_value: int
    sign_unit: str
    handle_value: int
    handle_unit: str
    return_days: int
    max_extension_days: int
    limit_id: int | None = None


# Used only when no active row matches at all (an empty table): the city rule's ordinary case.
FALLBACK = Limits(
    name=str(_("默认时限")),
    sign_value=1,
    sign_unit=LimitUnit.WORKDAYS,
    handle_value=13,
    handle_unit=LimitUnit.WORKDAYS,
    return_days=1,
    max_extension_days=10,
)


def due_after(start: dt.datetime, value: int, unit: str) -> dt.datetime:
    """When a limit of ``value`` ``unit`` started at ``start`` runs out."""
    if unit == LimitUnit.MINUTES:
        return start + dt.timedelta(minutes=value)
    if unit == LimitUnit.HOURS:
        return start + dt.timedelta(hours=value)
    return workdays.deadline(start, value)


# --------------------------------------------------------------------------- the limit table


@dataclass(frozen=True)
class _Row:
    limits: Limits
    ticket_type: str
    subject_id: int | None
    urgency: str
    hazard: str


class _Table:
    def __init__(self, rows: list[HandlingLimit], subjects: dict[int, int | None]):
        self.rows = [
            _Row(
                Limits(
                    name=r.name,
                    sign_value=r.sign_value,
                    sign_unit=r.sign_unit,
                    handle_value=r.handle_value,
                    handle_unit=r.handle_unit,
                    return_days=r.return_days,
                    max_extension_days=r.max_extension_days,
                    limit_id=r.pk,
                ),
                r.ticket_type,
                r.subject_id,
                r.urgency,
                r.hazard,
            )
            for r in rows
        ]
        self.parents = subjects  # subject id → parent id
        self.cache: dict[tuple, Limits] = {}

    def ancestors(self, subject_id: int | None) -> list[int]:
        """The subject and its ancestors, nearest first."""
        out: list[int] = []
        while subject_id is not None and subject_id not in out:
            out.append(subject_id)
            subject_id = self.parents.get(subject_id)
        return out

    def pick(
        self, *, ticket_type: str, subject_id: int | None, urgency: str, hazard: str
    ) -> Limits:
        key = (ticket_type, subject_id, urgency, hazard)
        found = self.cache.get(key)
        if found is not None:
            return found
        lineage = self.ancestors(subject_id)
        best: tuple | None = None
        chosen = FALLBACK
        for row in self.rows:
            if row.hazard and row.hazard != hazard:
                continue
            if row.urgency and row.urgency != urgency:
                continue
            if row.ticket_type and row.ticket_type != ticket_type:
                continue
            if row.subject_id is not None and row.subject_id not in lineage:
                continue
            depth = (len(lineage) - lineage.index(row.subject_id)) if row.subject_id else 0
            score = (bool(row.hazard), bool(row.urgency), depth, bool(row.ticket_type))
            if best is None or score > best:
                best, chosen = score, row.limits
        self.cache[key] = chosen
        return chosen


_table: _Table | None = None
_revision: tuple | None = None
_checked_at = 0.0
_lock = threading.Lock()


def _db_revision() -> tuple:
    a = HandlingLimit.objects.aggregate(n=Count("id"), m=Max("id"))
    b = Subject.objects.aggregate(n=Count("id"), m=Max("id"))
    return (a["n"], a["m"], b["n"], b["m"])


def _current() -> _Table:
    global _table, _revision, _checked_at
    now = time.monotonic()
    table = _table
    if table is not None and now - _checked_at < REFRESH_SECONDS:
        return table
    with _lock:
        try:
            revision = _db_revision()
        except DatabaseError:
            return _Table([], {})
        if _table is None or revision != _revision:
            _table = _Table(
                list(HandlingLimit.objects.filter(active=True).order_by("id")),
                dict(Subject.objects.values_list("id", "parent_id")),
            )
            _revision = revision
        _checked_at = now
        return _table


def invalidate() -> None:
    """Forget the cached table (after limits change in this process; admin saves call it)."""
    global _table, _revision
    with _lock:
        _table = None
        _revision = None


def limits_for(
    *, ticket_type: str, subject_id: int | None, urgency: str, hazard: str = ""
) -> Limits:
    """The most specific active limit for these attributes (weights: hazard, urgency, subject
    depth, type)."""
    return _current().pick(
        ticket_type=ticket_type, subject_id=subject_id, urgency=urgency, hazard=hazard or ""
    )


@dataclass(frozen=True)
class Dues:
    sign_due: dt.datetime
    handle_due: dt.datetime
    return_due: dt.datetime
    limits: Limits


def dues_for(ticket: Ticket, start: dt.datetime) -> Dues:
    """The dues of a dispatch at ``start``. Signing is never due after handling."""
    limits = limits_for(
        ticket_type=ticket.ticket_type,
        subject_id=ticket.subject_id,
        urgency=ticket.urgency,
        hazard=ticket.hazard,
    )
    handle = due_after(start, limits.handle_value, limits.handle_unit)
    sign = min(due_after(start, limits.sign_value, limits.sign_unit), handle)
    ret = workdays.deadline(start, limits.return_days)
    return Dues(sign_due=sign, handle_due=handle, return_due=ret, limits=limits)


def max_extension_due(ticket: Ticket) -> dt.datetime:
    """The latest date an extension may move the handling limit to."""
    limits = limits_for(
        ticket_type=ticket.ticket_type,
        subject_id=ticket.subject_id,
        urgency=ticket.urgency,
        hazard=ticket.hazard,
    )
    return workdays.deadline(ticket.handle_due, limits.max_extension_days)


# --------------------------------------------------------------------------- defaults


# (name, type, urgency, hazard, sign value, sign unit, handle value, handle unit)
W, H, M = LimitUnit.WORKDAYS, LimitUnit.HOURS, LimitUnit.MINUTES
DEFAULT_LIMITS = [
    ("咨询：1 个工作日内签收、1 个工作日内答复", "consultation", "", "", 1, W, 1, W),
    ("求助：1 个工作日内签收、3 个工作日内答复", "help", "", "", 1, W, 3, W),
    ("投诉：1 个工作日内签收、13 个工作日内答复", "complaint", "", "", 1, W, 13, W),
    ("举报：1 个工作日内签收、13 个工作日内答复", "report", "", "", 1, W, 13, W),
    ("建议：1 个工作日内签收、13 个工作日内答复", "suggestion", "", "", 1, W, 13, W),
    ("表扬：1 个工作日内签收、3 个工作日内答复", "praise", "", "", 1, W, 3, W),
    ("紧急诉求：24 小时内办结（自然时间）", "", "urgent", "", 1, W, 24, H),
    ("危及生命财产安全：15 分钟内签收、24 小时内办结", "", "", "life_property", 15, M, 24, H),
    ("水电气热：30 分钟内签收、24 小时内办结", "", "", "utilities", 30, M, 24, H),
]


def limits_install_defaults() -> int:
    """Install the city rule's default limits that are missing (by name); returns how many."""
    created = 0
    with transaction.atomic():
        have = set(HandlingLimit.objects.values_list("name", flat=True))
        for name, kind, urgency, hazard, sv, su, hv, hu in DEFAULT_LIMITS:
            if name in have:
                continue
            HandlingLimit.objects.create(
                name=name,
                ticket_type=kind,
                urgency=urgency,
                hazard=hazard,
                sign_value=sv,
                sign_unit=su,
                handle_value=hv,
                handle_unit=hu,
                return_days=1,
                max_extension_days=10,
            )
            created += 1
    invalidate()
    return created


# --------------------------------------------------------------------------- the clock


CARD_LABELS = {
    "": "",
    "blue": _("蓝牌：即将到期"),
    "yellow": _("黄牌：签收或原定期限已超"),
    "red": _("红牌：已超办理期限"),
}


@dataclass(frozen=True)
class TicketClock:
    dispatched_at: dt.datetime | None
    sign_due: dt.datetime | None
    signed_at: dt.datetime | None
    handle_due: dt.datetime | None
    original_handle_due: dt.datetime | None
    replied_at: dt.datetime | None
    running: bool
    remaining: dt.timedelta | None
    sign_overdue: bool
    overdue: bool
    card: str

    @property
    def card_label(self) -> str:
        return str(CARD_LABELS[self.card])

    @property
    def remaining_text(self) -> str:
        """Plain Chinese: 剩余 2 天 3 小时 / 超期 5 小时 / ''."""
        if self.remaining is None:
            return ""
        seconds = int(self.remaining.total_seconds())
        word = _("剩余") if seconds >= 0 else _("超期")
        seconds = abs(seconds)
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        minutes = rest // 60
        values = {"word": word, "d": days, "h": hours, "m": minutes}
        if days:
            return str(_("%(word)s %(d)d 天 %(h)d 小时") % values)
        if hours:
            return str(_("%(word)s %(h)d 小时 %(m)d 分钟") % values)
        return str(_("%(word)s %(m)d 分钟") % values)


def compute(ticket: Ticket, *, now: dt.datetime | None = None, share: float | None = None):
    """The ticket's clock at ``now`` from its stored dues."""
    now = now or timezone.now()
    share = blue_share() if share is None else share
    if ticket.dispatched_at is None or ticket.handle_due is None:
        return TicketClock(
            ticket.dispatched_at,
            ticket.sign_due,
            ticket.signed_at,
            ticket.handle_due,
            ticket.extended_from,
            ticket.replied_at,
            False,
            None,
            False,
            False,
            "",
        )
    end = ticket.replied_at or now
    running = ticket.replied_at is None and ticket.status in RUNNING_STATES
    if ticket.sign_due is None:
        sign_overdue = False
    elif ticket.signed_at is not None:
        sign_overdue = ticket.signed_at > ticket.sign_due
    else:
        sign_overdue = running and now > ticket.sign_due
    overdue = end > ticket.handle_due
    total = (ticket.handle_due - ticket.dispatched_at).total_seconds()
    left = (ticket.handle_due - end).total_seconds()
    if overdue:
        card = "red"
    elif sign_overdue or (ticket.extended_from is not None and end > ticket.extended_from):
        card = "yellow"
    elif running and total > 0 and left <= share * total:
        card = "blue"
    else:
        card = ""
    return TicketClock(
        dispatched_at=ticket.dispatched_at,
        sign_due=ticket.sign_due,
        signed_at=ticket.signed_at,
        handle_due=ticket.handle_due,
        original_handle_due=ticket.extended_from,
        replied_at=ticket.replied_at,
        running=running,
        remaining=(ticket.handle_due - now) if running else None,
        sign_overdue=sign_overdue,
        overdue=overdue,
        card=card,
    )
