"""Supervision cards (电子监察红黄蓝牌): the sweep that raises them, and their resolution.

A card is raised once per subject, kind and colour (the table's unique constraint holds it
against a racing sweep), recorded in the case's or ticket's history, and — when red — sent to
the department's heads once (``staff_notify_heads`` with the key ``card:<id>``). Cards are never
updated except to be resolved, and never deleted: a resolution needs an explanation and a
supervisor's sign-off.

What the sweep looks for (docs/supervision.md):

- DEADLINE — the case clock's card (blue / yellow / red, ``cases.clocks``) of each open case,
  and the ticket clock's card (``hotline.clocks``) of each open ticket;
- STEP_OVERDUE (yellow) — a stage of an open or decided case past its own limit (环节超时);
- NO_REASON (red) — a refusal (不予受理) or denial (不予许可) recorded without a reason;
- DOUBLE_CORRECTION (yellow) — a case asked for corrections (补正) more than once, against the
  one-time notice rule (一次性告知);
- OFFLINE_MUST_ONLINE (yellow) — a case received at a window (or kiosk) for an item that is
  offered fully online only (全程网办, no window channel);
- SIGN_OVERDUE (yellow) — a ticket not signed for (签收) by its sign-for limit;
- RECTIFICATION_OVERDUE (red) — a bad-rating rectification past its verification or reply
  deadline (``ratings.selectors.overdue_rectifications``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.cases import clocks as case_clocks
from tongban.cases.models import Case, CaseEvent, ItemProcedure
from tongban.cases.queue import ClockEvent
from tongban.cases.services.supervision import case_supervision_record
from tongban.cases.states import CaseAction, CaseStatus
from tongban.catalog.models import ServiceItemVersion
from tongban.catalog.models.codes import OnlineDepth
from tongban.core import workdays
from tongban.core.errors import CalendarNotCovered, PermissionDenied, ValidationFailed
from tongban.core.notifications import staff_notify_heads
from tongban.core.permissions import Perm, has_perm
from tongban.hotline import clocks as ticket_clocks
from tongban.hotline.models import Ticket
from tongban.hotline.services.supervision import ticket_supervision_record
from tongban.hotline.states import OPEN_STATES as TICKET_OPEN
from tongban.hotline.states import TicketAction
from tongban.ratings.selectors import overdue_rectifications

from .. import selectors
from ..errors import SupervisionErrorCode, SupervisionRefused
from ..models import Card, CardKind, Colour, SubjectKind

CHUNK = 2000
# Cases still watched after their decision: the issue and delivery stages have limits too.
OPEN_CASE = frozenset(
    {
        CaseStatus.SUBMITTED,
        CaseStatus.CORRECTION_REQUESTED,
        CaseStatus.IN_REVIEW,
        CaseStatus.SUSPENDED,
    }
)
WATCHED = [*OPEN_CASE, CaseStatus.APPROVED, CaseStatus.ISSUED, CaseStatus.DENIED]
OFFLINE_CHANNELS = ("window", "kiosk")


def lookback_days() -> int:
    """How far back the sweep reads events for rule violations (TONGBAN_SUPERVISION_LOOKBACK_DAYS)."""
    return int(getattr(settings, "TONGBAN_SUPERVISION_LOOKBACK_DAYS", 40))


@dataclass(frozen=True)
class Wanted:
    kind: str  # SubjectKind
    ref: str
    department_id: int
    colour: str
    card_kind: str
    detail: str


@dataclass
class SweepResult:
    raised: Counter = field(default_factory=Counter)  # (kind, colour) → cards raised now
    notified: int = 0
    checked_cases: int = 0
    checked_tickets: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.raised.values())


# ---------------------------------------------------------------- what the sweep wants


def _case_deadlines(today: dt.date, result: SweepResult) -> list[Wanted]:
    wanted: list[Wanted] = []
    qs = (
        Case.objects.filter(status__in=WATCHED)
        .select_related("item_version")
        .only(
            "pk",
            "case_no",
            "status",
            "department_id",
            "item_version__legal_limit_days",
            "item_version__promised_limit_days",
            "item_version__item_id",
        )
        .order_by("pk")
    )
    limits = {p.item_id: p.step_limits() for p in ItemProcedure.objects.all()}
    policy = case_clocks.card_policy()
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            break
        last = chunk[-1].pk
        events: dict[int, list[ClockEvent]] = {c.pk: [] for c in chunk}
        for case_id, *fields in (
            CaseEvent.objects.filter(case_id__in=list(events))
            .order_by("case_id", "seq")
            .values_list("case_id", "action", "occurred_at", "payload")
        ):
            events[case_id].append(ClockEvent(*fields))
        for case in chunk:
            result.checked_cases += 1
            try:
                clock = case_clocks.compute(
                    case,
                    events[case.pk],
                    today=today,
                    policy=policy,
                    limits=limits.get(case.item_version.item_id, case_clocks.STATUTORY_LIMITS),
                )
            except CalendarNotCovered as exc:
                result.errors.append(f"{case.case_no}: {exc.message}")
                continue
            if clock.card and case.status in OPEN_CASE:
                wanted.append(
                    Wanted(
                        SubjectKind.CASE,
                        case.case_no,
                        case.department_id,
                        clock.card,
                        CardKind.DEADLINE,
                        _deadline_detail(clock),
                    )
                )
            late = clock.overdue_stages
            if late:
                stage = late[0]
                wanted.append(
                    Wanted(
                        SubjectKind.CASE,
                        case.case_no,
                        case.department_id,
                        Colour.YELLOW,
                        CardKind.STEP_OVERDUE,
                        _("%(stage)s环节超时 %(days)s 个工作日")
                        % {
                            "stage": STAGE_NAMES.get(stage.code, stage.code),
                            "days": stage.late_days,
                        },
                    )
                )
    return wanted


STAGE_NAMES = {
    "accept": gettext_lazy("受理"),
    "review": gettext_lazy("审查"),
    "decide": gettext_lazy("决定"),
    "issue": gettext_lazy("制证"),
    "deliver": gettext_lazy("送达"),
}


def _deadline_detail(clock) -> str:
    if clock.card == "red":
        return _("已超过法定办结期限（%(due)s）") % {"due": clock.legal_due}
    if clock.card == "yellow":
        return _("已超过承诺办结期限（%(due)s）") % {"due": clock.promised_due}
    return _("承诺期限 %(due)s，剩余 %(n)s 个工作日") % {
        "due": clock.promised_due,
        "n": clock.remaining_promised,
    }


def _case_violations(since: dt.datetime) -> list[Wanted]:
    wanted: list[Wanted] = []
    recent = CaseEvent.objects.filter(occurred_at__gte=since)
    for case_no, dept, action in (
        recent.filter(action__in=[CaseAction.REFUSE, CaseAction.DENY])
        .filter(Q(reason="") | Q(reason__regex=r"^\s+$"))
        .values_list("case__case_no", "case__department_id", "action")
    ):
        what = _("不予受理") if action == CaseAction.REFUSE else _("不予许可")
        wanted.append(
            Wanted(
                SubjectKind.CASE,
                case_no,
                dept,
                Colour.RED,
                CardKind.NO_REASON,
                _("%(what)s未说明理由") % {"what": what},
            )
        )
    corrected = recent.filter(action=CaseAction.REQUEST_CORRECTION).values("case_id")
    for case_no, dept, n in (
        CaseEvent.objects.filter(action=CaseAction.REQUEST_CORRECTION, case_id__in=corrected)
        .order_by()
        .values("case_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .values_list("case__case_no", "case__department_id", "n")
    ):
        wanted.append(
            Wanted(
                SubjectKind.CASE,
                case_no,
                dept,
                Colour.YELLOW,
                CardKind.DOUBLE_CORRECTION,
                _("同一申请 %(n)s 次要求补正") % {"n": n},
            )
        )
    must_online = must_be_online_versions()
    if must_online:
        for case_no, dept, channel in (
            recent.filter(action=CaseAction.SUBMIT)
            .filter(case__item_version_id__in=must_online, case__channel__in=OFFLINE_CHANNELS)
            .values_list("case__case_no", "case__department_id", "case__channel")
        ):
            wanted.append(
                Wanted(
                    SubjectKind.CASE,
                    case_no,
                    dept,
                    Colour.YELLOW,
                    CardKind.OFFLINE_MUST_ONLINE,
                    _("全程网办事项在线下（%(channel)s）受理") % {"channel": channel},
                )
            )
    return wanted


def must_be_online_versions() -> list[int]:
    """Item versions offered fully online only: 全程网办 with no window channel (the catalogue
    is small; its channel lists are JSON, read here rather than in SQL)."""
    return [
        pk
        for pk, channels in ServiceItemVersion.objects.filter(
            online_depth=OnlineDepth.FULLY_ONLINE
        ).values_list("pk", "channels")
        if channels and "window" not in channels
    ]


def _ticket_cards(now: dt.datetime, result: SweepResult) -> list[Wanted]:
    wanted: list[Wanted] = []
    share = ticket_clocks.blue_share()
    for t in Ticket.objects.filter(status__in=TICKET_OPEN, department__isnull=False).iterator(
        chunk_size=CHUNK
    ):
        result.checked_tickets += 1
        clock = ticket_clocks.compute(t, now=now, share=share)
        if clock.card:
            wanted.append(
                Wanted(
                    SubjectKind.TICKET,
                    t.ticket_no,
                    t.department_id,
                    clock.card,
                    CardKind.DEADLINE,
                    str(clock.card_label),
                )
            )
        if clock.sign_overdue:
            wanted.append(
                Wanted(
                    SubjectKind.TICKET,
                    t.ticket_no,
                    t.department_id,
                    Colour.YELLOW,
                    CardKind.SIGN_OVERDUE,
                    _("签收期限 %(due)s 已过")
                    % {"due": f"{t.sign_due.astimezone(workdays.BUSINESS_TZ):%Y-%m-%d %H:%M}"},
                )
            )
    return wanted


def _rectification_cards(now: dt.datetime) -> list[Wanted]:
    return [
        Wanted(
            SubjectKind.RECTIFICATION,
            str(r.pk),
            r.department_id,
            Colour.RED,
            CardKind.RECTIFICATION_OVERDUE,
            _("差评整改期限 %(due)s 已过")
            % {"due": f"{r.due.astimezone(workdays.BUSINESS_TZ):%Y-%m-%d}"},
        )
        for r in overdue_rectifications(now=now)
    ]


# ---------------------------------------------------------------- raising


def supervision_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """电子监察 sweep: raise every card the data calls for that is not raised yet. Safe to run
    at any time and as often as wanted (``tongban supervision sweep``, every 15 minutes)."""
    now = now or timezone.now()
    today = workdays.business_date(now)
    result = SweepResult()
    wanted = _case_deadlines(today, result)
    wanted += _case_violations(now - dt.timedelta(days=lookback_days()))
    wanted += _ticket_cards(now, result)
    wanted += _rectification_cards(now)
    existing = set(
        Card.objects.filter(subject_ref__in={w.ref for w in wanted}).values_list(
            "subject_kind", "subject_ref", "kind", "colour"
        )
    )
    for w in wanted:
        key = (w.kind, w.ref, w.card_kind, w.colour)
        if key in existing:
            continue
        existing.add(key)
        card = card_raise(wanted=w, now=now)
        if card is not None:
            result.raised[(w.card_kind, w.colour)] += 1
            result.notified += card.head_notified_at is not None
    return result


def card_raise(*, wanted: Wanted, now: dt.datetime) -> Card | None:
    """Raise one card (None when it exists already), record it in the subject's history and
    notify the department's heads of a red one — all in one transaction."""
    try:
        with transaction.atomic():
            card = Card.objects.create(
                subject_kind=wanted.kind,
                subject_ref=wanted.ref,
                department_id=wanted.department_id,
                colour=wanted.colour,
                kind=wanted.card_kind,
                detail=wanted.detail[:256],
                raised_at=now,
            )
            payload = {"card": card.pk, "colour": card.colour, "kind": card.kind}
            reason = f"{card.get_colour_display()}：{card.get_kind_display()}。{card.detail}"
            _record(card, action="card", reason=reason, payload=payload, actor=None)
            if card.colour == Colour.RED:
                _notify_red(card, now)
            return card
    except IntegrityError:
        return None  # raised meanwhile by another sweep


def _record(card_or_subject, *, action: str, reason: str, payload: dict, actor) -> None:
    """The supervision event in the case's or ticket's own history (none for a rectification)."""
    kind, ref = card_or_subject.subject_kind, card_or_subject.subject_ref
    if kind == SubjectKind.CASE:
        case = Case.objects.filter(case_no=ref).first()
        if case is not None and case.status != CaseStatus.DRAFT:
            case_supervision_record(
                actor=actor, case=case, action=action, reason=reason, payload=payload
            )
    elif kind == SubjectKind.TICKET:
        ticket = Ticket.objects.filter(ticket_no=ref).first()
        if ticket is not None:
            ticket_action = {
                "card": TicketAction.CARD,
                "urge": TicketAction.URGE,
                "supervision_order": TicketAction.SUPERVISION_ORDER,
                "order_response": TicketAction.ORDER_RESPONSE,
            }[action]
            ticket_supervision_record(
                actor=actor, ticket=ticket, action=ticket_action, reason=reason, payload=payload
            )


def subject_link(kind: str, ref: str) -> str:
    if kind == SubjectKind.CASE:
        return f"/console/cases/{ref}/"
    if kind == SubjectKind.TICKET:
        return f"/console/hotline/tickets/{ref}/"
    return f"/console/ratings/rectifications/{ref}/"


def _notify_red(card: Card, now: dt.datetime) -> None:
    notices = staff_notify_heads(
        department=card.department,
        title=_("红牌：%(ref)s") % {"ref": card.subject_ref},
        body=_("%(subject)s %(ref)s 被亮红牌（%(kind)s）：%(detail)s。请督促办理并作出情况说明。")
        % {
            "subject": card.get_subject_kind_display(),
            "ref": card.subject_ref,
            "kind": card.get_kind_display(),
            "detail": card.detail,
        },
        link=f"/console/supervision/cards/{card.pk}/",
        key=f"card:{card.pk}",
    )
    if notices:
        Card.objects.filter(pk=card.pk, head_notified_at__isnull=True).update(head_notified_at=now)
        card.head_notified_at = now


# ---------------------------------------------------------------- resolving


def _text(value: str, what) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(
            SupervisionErrorCode.TEXT_REQUIRED,
            gettext_lazy("请填写%(what)s。"),
            field="explanation",
            what=what,
        )
    return value[:4000]


def _locked_card(pk: int) -> Card:
    return Card.objects.select_for_update().select_related("department").get(pk=pk)


def card_explain(*, actor, card: Card, explanation: str) -> Card:
    """情况说明: the responsible department (its head) or a supervisor writes what happened and
    what was done. Replaced until the card is resolved; a resolved card is final."""
    text = _text(explanation, gettext_lazy("情况说明"))
    if not selectors.in_view(actor, card.department_id):
        raise PermissionDenied()
    with transaction.atomic():
        current = _locked_card(card.pk)
        if current.resolved_at is not None:
            raise SupervisionRefused(
                SupervisionErrorCode.ALREADY_RESOLVED, gettext_lazy("该监察牌已销牌，不能再修改。")
            )
        current.explanation = text
        current.save(update_fields=["explanation"])
    return current


def card_resolve(*, actor, card: Card, explanation: str = "") -> Card:
    """销牌: a supervisor signs off the card with its explanation (the department's, or one
    given now). Once only; exactly one of two racing supervisors wins."""
    if not has_perm(actor, Perm.SUPERVISION_URGE):
        raise PermissionDenied(gettext_lazy("只有监察督办人员可以审核销牌。"))
    with transaction.atomic():
        current = _locked_card(card.pk)
        if current.resolved_at is not None:
            raise SupervisionRefused(
                SupervisionErrorCode.ALREADY_RESOLVED, gettext_lazy("该监察牌已销牌。")
            )
        text = (explanation or "").strip() or current.explanation
        if not text:
            raise ValidationFailed(
                SupervisionErrorCode.EXPLANATION_REQUIRED,
                gettext_lazy("销牌须有情况说明：请先由责任部门说明情况，或在此填写。"),
                field="explanation",
            )
        current.explanation = text[:4000]
        current.resolved_at = timezone.now()
        current.signed_off_by = actor
        current.save(update_fields=["explanation", "resolved_at", "signed_off_by"])
    return current
