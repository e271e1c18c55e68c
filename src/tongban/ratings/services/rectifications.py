"""差评整改: every 不满意 / 非常不满意 rating opens a rectification for the responsible
department — 回访核实 within the verify deadline, 整改答复 within the rectify deadline (working
days, ``policy.deadlines_for``), the supervisor's review, the citizen informed; an appeal
(申诉) re-checked by a separate reviewer can mark the rating mistaken or malicious.

Each change: one transaction → lock the row, compare ``expected_version`` → guard → update →
append one hash-chained ``RectificationEvent``; notices after the change in the same
transaction (the SMS leaves on commit)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core import workdays
from tongban.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from tongban.core.events import event_append
from tongban.core.identifiers import parse_date
from tongban.core.models import Person
from tongban.core.notifications import notify, staff_notify
from tongban.core.permissions import Perm, Role, has_perm

from .. import policy, service_events
from ..errors import RatingErrorCode, RatingRefused
from ..models import (
    AppealResult,
    AppealStatus,
    ContactView,
    Rating,
    Rectification,
    RectificationEvent,
    RectificationOutcome,
)
from ..states import RectificationAction as A
from ..states import target_of

User = get_user_model()
TEXT_MAX = 2000


class StaleRectification(DomainError):
    status_code = 409


def stream_of(rectification: Rectification) -> str:
    return f"rectification:{rectification.pk}"


def console_link(rectification: Rectification) -> str:
    return f"/console/ratings/rectifications/{rectification.pk}/"


def _department_handlers(department_id: int):
    return User.objects.filter(
        is_active=True,
        staff__department_id=department_id,
        groups__name__in=[Role.HANDLER, Role.DEPARTMENT_HEAD],
    ).distinct()


def rectification_open(*, rating: Rating, region_code: str = "") -> Rectification:
    """Open the rectification of a 差评 (in the rating's transaction) and tell the
    department's handlers and head (a work notice, once)."""
    deadlines = policy.deadlines_for(region_code)
    rectification = Rectification.objects.create(
        rating=rating,
        department_id=rating.department_id,
        verify_due=workdays.deadline(rating.rated_at, deadlines.verify_days),
        due=workdays.deadline(rating.rated_at, deadlines.rectify_days),
    )
    event_append(
        model=RectificationEvent,
        stream=stream_of(rectification),
        action=A.OPEN,
        to_state=rectification.status,
        payload={
            "level": rating.level,
            "verify_days": deadlines.verify_days,
            "rectify_days": deadlines.rectify_days,
            "verify_due": rectification.verify_due,
            "due": rectification.due,
        },
        new_stream=True,
        rectification=rectification,
    )
    due = rectification.verify_due.astimezone(workdays.BUSINESS_TZ).strftime("%Y-%m-%d")
    for user in _department_handlers(rating.department_id):
        staff_notify(
            user=user,
            title=str(_("新的差评待回访核实")),
            body=str(_("请于 %(due)s 前回访核实并整改。") % {"due": due}),
            link=console_link(rectification),
            key=f"rectification:{rectification.pk}:open",
        )
    return rectification


# ---------------------------------------------------------------- the transition helper


def _locked(pk: int) -> Rectification:
    found = (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("rating")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("没有找到该整改记录。"))
    return found


def _require_handler(actor, r: Rectification) -> None:
    staff = getattr(actor, "staff", None)
    if not has_perm(actor, Perm.RECTIFICATION_HANDLE):
        raise PermissionDenied(_("只有责任部门的整改经办人员可以办理差评整改。"))
    if staff is None or staff.department_id != r.department_id:
        raise PermissionDenied(_("这条差评不属于您所在部门，不能办理。"))


def _require_reviewer(actor) -> None:
    if not has_perm(actor, Perm.RECTIFICATION_REVIEW):
        raise PermissionDenied(_("只有监察督办人员可以审核整改和申诉复核。"))


def _text(value: str, *, field: str, label, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(
            RatingErrorCode.INVALID_INPUT, _("%(label)s：请填写。"), field=field, label=str(label)
        )
    if len(value) > TEXT_MAX:
        raise ValidationFailed(
            RatingErrorCode.INVALID_INPUT,
            _("%(label)s：请不超过 %(n)s 个字。"),
            field=field,
            label=str(label),
            n=TEXT_MAX,
        )
    return value


def _transition(
    pk: int,
    *,
    actor,
    action: str,
    expected_version: int | None,
    check: Callable[[Rectification], None],
    apply: Callable[[Rectification], dict[str, Any]],
    reason: str = "",
) -> Rectification:
    with transaction.atomic():
        r = _locked(pk)
        check(r)
        if expected_version is not None and r.version != expected_version:
            raise StaleRectification(
                RatingErrorCode.STALE,
                _("这条整改记录已被他人处理，请刷新页面后查看最新情况。"),
            )
        before = r.status
        after = target_of(action, before)
        payload = apply(r)
        r.status = after
        r.version += 1
        r.save()
        event_append(
            model=RectificationEvent,
            stream=stream_of(r),
            action=action,
            actor=actor,
            from_state=before,
            to_state=after,
            reason=reason,
            payload=payload,
            rectification=r,
        )
        return r


def _inform_citizen(r: Rectification, *, title: str, body: str) -> None:
    """Tell the rater (when the rating is not anonymous) and note when."""
    person = Person.objects.filter(pk=r.rating.person_id).first() if r.rating.person_id else None
    if person is None:
        return
    link = f"/rate/{r.rating.service_kind}/{r.rating.service_ref}/"
    notify(person=person, title=title, body=body, link=link)
    r.informed_at = timezone.now()


# ---------------------------------------------------------------- the department's steps


def rectification_verify(
    *, actor, pk: int, note: str, expected_version: int | None = None
) -> Rectification:
    """回访核实: the handler called the citizen back and records what was found."""
    note = _text(note, field="note", label=_("回访核实情况"))

    def apply(r: Rectification) -> dict[str, Any]:
        r.verified_at = timezone.now()
        return {"on_time": r.verified_at <= r.verify_due}

    return _transition(
        pk,
        actor=actor,
        action=A.VERIFY,
        expected_version=expected_version,
        check=lambda r: _require_handler(actor, r),
        apply=apply,
        reason=note,
    )


def rectification_respond(
    *,
    actor,
    pk: int,
    outcome: str,
    reply: str,
    fix_by: Any = None,
    expected_version: int | None = None,
) -> Rectification:
    """整改答复: 立行立改 (fixed), 限期整改 (fixed by ``fix_by``, no later than the deadline) or
    解释说明 (the demand has no legal basis); goes to the supervisor's review."""
    if outcome not in RectificationOutcome.values:
        raise ValidationFailed(
            RatingErrorCode.INVALID_INPUT, _("整改方式：请选择一种整改方式。"), field="outcome"
        )
    reply = _text(reply, field="reply", label=_("整改答复"))
    fix_date = None
    if outcome == RectificationOutcome.DEADLINE:
        try:
            fix_date = parse_date(fix_by) if fix_by else None
        except DomainError:
            fix_date = None
        if fix_date is None:
            raise ValidationFailed(
                RatingErrorCode.INVALID_INPUT,
                _("整改期限：限期整改须填写整改完成日期（如 2026-12-01）。"),
                field="fix_by",
            )

    def check(r: Rectification) -> None:
        _require_handler(actor, r)
        today = workdays.business_date(timezone.now())
        if fix_date is not None and not today <= fix_date <= workdays.business_date(r.due):
            raise ValidationFailed(
                RatingErrorCode.INVALID_INPUT,
                _("整改期限：须在今天到整改期限 %(due)s 之间。"),
                field="fix_by",
                due=workdays.business_date(r.due).isoformat(),
            )

    def apply(r: Rectification) -> dict[str, Any]:
        r.outcome = outcome
        r.responded_at = timezone.now()
        return {
            "outcome": outcome,
            "fix_by": fix_date.isoformat() if fix_date else "",
            "on_time": r.responded_at <= r.due,
        }

    return _transition(
        pk,
        actor=actor,
        action=A.RESPOND,
        expected_version=expected_version,
        check=check,
        apply=apply,
        reason=reply,
    )


# ---------------------------------------------------------------- the supervisor


def _last_reply(r: Rectification) -> str:
    event = r.events.filter(action=A.RESPOND).order_by("-seq").first()
    return event.reason if event else ""


def rectification_review(
    *, actor, pk: int, approve: bool, note: str = "", expected_version: int | None = None
) -> Rectification:
    """The supervisor approves the reply (closed; the citizen is informed of the outcome) or
    sends it back for more work (a note is required). The reviewer of an appeal on the same
    rating may not review the rectification (separation of duties)."""
    note = _text(note, field="note", label=_("审核意见"), required=not approve)

    def check(r: Rectification) -> None:
        _require_reviewer(actor)
        if r.appeal_reviewed_by_id == actor.pk:
            raise RatingRefused(
                RatingErrorCode.SAME_REVIEWER,
                _("您已复核过这条差评的申诉，整改须由另一名监察人员审核。"),
            )

    def apply(r: Rectification) -> dict[str, Any]:
        r.reviewed_by = actor
        if approve:
            r.closed_at = timezone.now()
            outcome = RectificationOutcome(r.outcome).label
            _inform_citizen(
                r,
                title=str(_("您的评价已整改答复")),
                body=str(
                    _("您对 %(ref)s 的评价已处理（%(outcome)s）：%(reply)s")
                    % {"ref": r.rating.service_ref, "outcome": outcome, "reply": _last_reply(r)}
                ),
            )
        return {"approve": bool(approve), "informed": r.informed_at is not None}

    return _transition(
        pk,
        actor=actor,
        action=A.APPROVE if approve else A.SEND_BACK,
        expected_version=expected_version,
        check=check,
        apply=apply,
        reason=note,
    )


def rectification_appeal(
    *, actor, pk: int, reason: str, expected_version: int | None = None
) -> Rectification:
    """申诉: the department asks for a re-check of a rating it believes mistaken or malicious.
    Once per rectification; the rating stays stored and counted until the re-check upholds."""
    reason = _text(reason, field="reason", label=_("申诉理由"))

    def check(r: Rectification) -> None:
        _require_handler(actor, r)
        if r.appeal_status:
            raise RatingRefused(RatingErrorCode.APPEAL_EXISTS, _("这条差评已经申诉过了。"))

    def apply(r: Rectification) -> dict[str, Any]:
        r.appeal_status = AppealStatus.PENDING
        return {}

    return _transition(
        pk,
        actor=actor,
        action=A.APPEAL,
        expected_version=expected_version,
        check=check,
        apply=apply,
        reason=reason,
    )


def rectification_appeal_decide(
    *,
    actor,
    pk: int,
    result: str,
    note: str,
    expected_version: int | None = None,
) -> Rectification:
    """申诉复核 by a separate reviewer (not the one who reviewed the rectification): ``result``
    ``mistaken`` (误评) or ``malicious`` (恶意差评) upholds the appeal — the rating is marked,
    never deleted, and left out of the figures, and the rectification closes; ``rejected``
    keeps the rectification going."""
    note = _text(note, field="note", label=_("复核意见"))
    if result not in (AppealResult.MISTAKEN, AppealResult.MALICIOUS, "rejected"):
        raise ValidationFailed(
            RatingErrorCode.INVALID_INPUT, _("复核结论：请选择一项复核结论。"), field="result"
        )

    def check(r: Rectification) -> None:
        _require_reviewer(actor)
        if r.appeal_status != AppealStatus.PENDING:
            raise RatingRefused(RatingErrorCode.NO_APPEAL, _("这条差评没有待复核的申诉。"))
        if r.reviewed_by_id == actor.pk:
            raise RatingRefused(
                RatingErrorCode.SAME_REVIEWER,
                _("您审核过这条差评的整改，申诉须由另一名监察人员复核。"),
            )

    def apply(r: Rectification) -> dict[str, Any]:
        r.appeal_reviewed_by = actor
        if result == "rejected":
            r.appeal_status = AppealStatus.REJECTED
            return {"result": result}
        r.appeal_status = AppealStatus.UPHELD
        r.closed_at = timezone.now()
        Rating.objects.filter(pk=r.rating_id).update(appeal_result=result)
        r.rating.appeal_result = result
        return {"result": result}

    return _transition(
        pk,
        actor=actor,
        action=A.APPEAL_REJECT if result == "rejected" else A.APPEAL_UPHOLD,
        expected_version=expected_version,
        check=check,
        apply=apply,
        reason=note,
    )


# ---------------------------------------------------------------- contact details


def rectification_contact(*, actor, pk: int) -> dict[str, str]:
    """The rater's name and phone for the callback, shown only to a handler of the responsible
    department who was not the rated staff member; every view is logged (ContactView) and
    appended to the rectification's history."""
    with transaction.atomic():
        r = _locked(pk)
        _require_handler(actor, r)
        if r.rating.staff_id == actor.pk:
            raise RatingRefused(
                RatingErrorCode.RATED_STAFF,
                _("您是被评价的工作人员，不能查看评价人的联系方式，请由部门其他人员回访。"),
            )
        ContactView.objects.create(rectification=r, viewer=actor)
        event_append(
            model=RectificationEvent,
            stream=stream_of(r),
            action=A.CONTACT_VIEW,
            actor=actor,
            from_state=r.status,
            to_state=r.status,
            rectification=r,
        )
        rating = r.rating
        if rating.person_id:
            person = Person.objects.get(pk=rating.person_id)
            return {"name": person.name, "phone": person.phone}
        if rating.service_kind == "ticket":
            phone = service_events.ticket_caller_phone(rating.service_ref)
            return {"name": "", "phone": phone}
        return {"name": "", "phone": ""}
