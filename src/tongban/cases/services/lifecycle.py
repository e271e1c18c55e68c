"""Every transition of a case (办件), one service function each."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.catalog import selectors as catalog_selectors
from tongban.catalog.models import ServiceItemVersion
from tongban.catalog.models.codes import SpecialProcedureKind
from tongban.core import workdays
from tongban.core.errors import DomainError, NotFound, ValidationFailed
from tongban.core.events import event_append
from tongban.core.models import Enterprise, Person, User
from tongban.core.permissions import Perm
from tongban.core.selectors import can_act_for

from .. import access, clocks, selectors
from ..errors import CaseErrorCode
from ..models import ApplicantBar, Case, CaseEvent, ItemProcedure, ReviewTask, TaskStatus
from ..models.procedure import DEFAULT_STEPS
from ..states import CaseAction as A
from ..states import CaseStatus as S
from .common import require_reason, transition
from .notices import tell_applicant
from .numbering import next_case_no


def _today() -> dt.date:
    return workdays.business_date(timezone.now())


def _check_bar(person: Person, enterprise: Enterprise | None, version: ServiceItemVersion):
    bar = (
        ApplicantBar.objects.filter(item=version.item, until__gte=_today())
        .filter(
            person=person if enterprise is None else None,
            enterprise=enterprise,
        )
        .first()
    )
    if bar is not None:
        raise DomainError(
            CaseErrorCode.APPLICANT_BARRED,
            _("申请人在 %(until)s 前不得申请该事项：%(reason)s（行政许可法第七十八、七十九条）"),
            until=bar.until.isoformat(),
            reason=bar.reason,
        )


def case_create(
    *,
    actor: User,
    item_code: str,
    applicant: Person,
    channel: str,
    enterprise: Enterprise | None = None,
    answers: dict[str, str] | None = None,
    form_data: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> Case:
    """A draft case under the item's published version; the same idempotency key returns it."""
    if idempotency_key:
        existing = Case.objects.filter(created_by=actor, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    version = _published_version(item_code)
    answers = answers or {}
    catalog_selectors.materials_for(version, answers)  # refuses incomplete answers
    case = Case(
        item_version=version,
        department=version.item.department,
        applicant=applicant,
        enterprise=enterprise,
        channel=channel,
        answers=answers,
        form_data=form_data or {},
        created_by=actor,
        idempotency_key=idempotency_key,
    )
    if applicant.user_id != actor.pk and not access.is_applicant_side(actor, case):
        access.require_clerk(actor)
    if enterprise is not None:
        if applicant.user_id == actor.pk and not can_act_for(actor, enterprise):
            raise ValidationFailed(
                CaseErrorCode.NOT_YOURS, _("您未获该企业授权。"), field="enterprise"
            )
        # At the counter too: the person applying must hold the enterprise's authorisation.
        if applicant.user_id != actor.pk and not selectors.person_represents(applicant, enterprise):
            raise ValidationFailed(
                CaseErrorCode.NOT_YOURS, _("申请人未获该企业授权。"), field="enterprise"
            )
    _check_bar(applicant, enterprise, version)
    region = version.item.department.region.code[:6]
    try:
        with transaction.atomic():
            case.case_no = next_case_no(region_code=region, day=_today())
            case.save()
            event_append(
                model=CaseEvent,
                stream=case.stream,
                action=A.CREATE,
                actor=actor,
                to_state=S.DRAFT,
                payload={"channel": channel},
                case=case,
            )
    except IntegrityError:
        if idempotency_key:  # a concurrent retry with the same key won
            return Case.objects.get(created_by=actor, idempotency_key=idempotency_key)
        raise
    return case


def _materials_version(pk: int) -> ServiceItemVersion:
    """A version with just what ``materials_for`` reads — its materials and situation tree —
    not every element of its guide: 3 queries instead of 11 on each create and submit. (A
    published version's elements never change, so nothing here can be stale.)"""
    return (
        ServiceItemVersion.objects.select_related("item__department__region")
        .prefetch_related("materials", catalog_selectors._QUESTIONS)
        .get(pk=pk)
    )


def _published_version(code: str) -> ServiceItemVersion:
    pk = (
        catalog_selectors.published_versions()
        .filter(item__implementation_code=code)
        .values_list("pk", flat=True)
        .first()
    )
    if pk is None:
        raise NotFound(_("没有找到实施编码为 %(code)s 的在办事项。") % {"code": code[:40]})
    return _materials_version(pk)


def _required_missing(case: Case) -> list[str]:
    result = catalog_selectors.materials_for(_materials_version(case.item_version_id), case.answers)
    have = set(case.materials.values_list("material_id", flat=True))
    return [n.material.name for n in result.materials if n.required and n.material.pk not in have]


def case_submit(*, actor: User, case: Case, expected_version: int | None = None) -> Case:
    """Submit: every required material must be present (uploaded, e-licence, deferred, promised)."""
    access.require_applicant_side(actor, case)

    def check(c: Case) -> None:
        _check_bar(c.applicant, c.enterprise, c.item_version)
        missing = _required_missing(c)
        if missing:
            raise DomainError(
                CaseErrorCode.MATERIALS_MISSING,
                _("还缺少材料：%(m)s"),
                field="materials",
                m="、".join(missing),
            )

    return transition(
        case=case,
        actor=actor,
        action=A.SUBMIT,
        expected_version=expected_version,
        check=check,
        apply=lambda c: setattr(c, "received_at", timezone.now()),
    )


def _first_task(case: Case) -> None:
    procedure = ItemProcedure.objects.filter(item=case.item_version.item).first()
    steps = procedure.steps if procedure and procedure.steps else DEFAULT_STEPS
    _open_task(case, steps[0], procedure)


def _open_task(case: Case, step: dict[str, Any], procedure: ItemProcedure | None) -> ReviewTask:
    task = ReviewTask.objects.create(
        case=case,
        step=step["code"],
        step_name=step["name"],
        role=step["role"],
        department=case.department,
    )
    mode = procedure.assignment if procedure else "random"
    if mode != "pool":
        candidates = list(
            User.objects.filter(
                is_active=True, staff__department=case.department, groups__name=step["role"]
            )
        )
        if candidates:
            if mode == "least_loaded":
                load = {
                    u.pk: u.review_tasks.filter(status=TaskStatus.CLAIMED).count()
                    for u in candidates
                }
                choice = min(candidates, key=lambda u: (load[u.pk], u.pk))
            else:
                choice = random.choice(candidates)  # noqa: S311 - fairness, not security
            task.assignee = choice
            task.status = TaskStatus.CLAIMED
            task.save(update_fields=["assignee", "status"])
    return task


def case_accept(*, actor: User, case: Case, expected_version: int | None = None) -> Case:
    """受理. Late acceptance is dated back to receipt (第三十二条 deemed acceptance)."""
    access.require_clerk(actor)
    today = _today()
    received = workdays.business_date(case.received_at) if case.received_at else today
    due = workdays.add_workdays(received, clocks.CORRECTION_NOTICE_DAYS)
    deemed = today > due
    accepted_on = received if deemed else today
    version = case.item_version

    def apply(c: Case) -> None:
        c.accepted_on = accepted_on
        c.legal_due = workdays.add_workdays(accepted_on, version.legal_limit_days)
        c.promised_due = workdays.add_workdays(accepted_on, version.promised_limit_days)

    with transaction.atomic():  # accepted, its first task and the notice: all or nothing
        case = transition(
            case=case,
            actor=actor,
            action=A.ACCEPT,
            expected_version=expected_version,
            apply=apply,
            payload={"accepted_on": accepted_on.isoformat(), "deemed": deemed},
        )
        _first_task(case)
        tell_applicant(
            case,
            _("已受理"),
            _("已于 %(day)s 受理，承诺于 %(due)s 前办结。")
            % {"day": accepted_on.isoformat(), "due": case.promised_due.isoformat()},
        )
    return case


def case_refuse(
    *, actor: User, case: Case, reason: str, expected_version: int | None = None
) -> Case:
    """不予受理, with the written reason (and where to apply instead, when out of scope)."""
    access.require_clerk(actor)
    reason = require_reason(reason, _("不予受理的理由"))
    case = transition(
        case=case,
        actor=actor,
        action=A.REFUSE,
        reason=reason,
        expected_version=expected_version,
        apply=lambda c: setattr(c, "decision_reason", reason),
    )
    tell_applicant(case, _("不予受理"), _("不予受理，理由：%(r)s") % {"r": reason})
    return case


def case_request_correction(
    *,
    actor: User,
    case: Case,
    missing: list[str],
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """一次性告知: one complete list of what is missing, within 5 working days of receipt."""
    access.require_clerk(actor)
    missing = [m.strip() for m in missing if m and m.strip()]
    if not missing:
        raise ValidationFailed(
            CaseErrorCode.CORRECTION_EMPTY,
            _("补正告知：请一次列明需要补正的全部材料。"),
            field="missing",
        )

    def check(c: Case) -> None:
        if c.events.filter(action=A.REQUEST_CORRECTION).exists():
            raise DomainError(
                CaseErrorCode.CORRECTION_TOO_LATE, _("补正应一次性告知，本件已发出过补正告知。")
            )
        received = workdays.business_date(c.received_at)
        if _today() > workdays.add_workdays(received, clocks.CORRECTION_NOTICE_DAYS):
            raise DomainError(
                CaseErrorCode.CORRECTION_TOO_LATE,
                _("已超过收件后 5 个工作日的补正告知期限，依法自收件之日起视为受理，请直接受理。"),
            )

    case = transition(
        case=case,
        actor=actor,
        action=A.REQUEST_CORRECTION,
        reason=note,
        expected_version=expected_version,
        check=check,
        payload={"missing": missing},
    )
    tell_applicant(
        case, _("请补正材料"), _("请一次性补正以下材料：%(m)s") % {"m": "、".join(missing)}
    )
    return case


def case_resubmit(*, actor: User, case: Case, expected_version: int | None = None) -> Case:
    access.require_applicant_side(actor, case)
    return transition(
        case=case,
        actor=actor,
        action=A.RESUBMIT,
        expected_version=expected_version,
        apply=lambda c: setattr(c, "received_at", timezone.now()),
    )


def case_withdraw(
    *, actor: User, case: Case, reason: str = "", expected_version: int | None = None
) -> Case:
    access.require_applicant_side(actor, case)

    def apply(c: Case) -> None:
        c.tasks.filter(status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED]).update(
            status=TaskStatus.CANCELLED
        )

    return transition(
        case=case,
        actor=actor,
        action=A.WITHDRAW,
        reason=reason,
        expected_version=expected_version,
        apply=apply,
    )


def case_suspend(
    *,
    actor: User,
    case: Case,
    kind: str,
    reason: str,
    expected_days: int,
    expected_version: int | None = None,
) -> Case:
    """特别程序 (听证、检验、检测、鉴定、专家评审 …): the clock stops; the applicant is told how long."""
    access.require_department(actor, case, Perm.CASE_REVIEW)
    reason = require_reason(reason, _("进入特别程序的原因"))
    if kind not in SpecialProcedureKind.values:
        raise ValidationFailed(
            CaseErrorCode.REASON_REQUIRED,
            _("特别程序：不是可选的类型，可选：%(kinds)s。"),
            field="kind",
            kinds="、".join(f"{k.value}（{k.label}）" for k in SpecialProcedureKind),
        )
    try:
        expected_days = int(expected_days)
    except (TypeError, ValueError):
        expected_days = 0
    if not 1 <= expected_days <= 365:
        raise ValidationFailed(
            CaseErrorCode.REASON_REQUIRED,
            _("预计时长：应为 1 到 365 个工作日。"),
            field="expected_days",
        )
    case = transition(
        case=case,
        actor=actor,
        action=A.SUSPEND,
        reason=reason,
        expected_version=expected_version,
        payload={"kind": kind, "expected_days": int(expected_days)},
    )
    tell_applicant(
        case,
        _("进入特别程序"),
        _("因%(r)s进入特别程序，预计需要 %(n)d 个工作日，所需时间不计入办理期限。")
        % {"r": reason, "n": int(expected_days)},
    )
    return case


def case_resume(*, actor: User, case: Case, expected_version: int | None = None) -> Case:
    access.require_department(actor, case, Perm.CASE_REVIEW)

    def apply(c: Case) -> None:
        # The due dates copied onto the row (for queues) move by the pause's working days,
        # exactly as the clock computed from the events does.
        start = c.events.filter(action=A.SUSPEND).order_by("-seq").first()
        if start is None or c.legal_due is None or c.promised_due is None:
            return
        days = clocks.paused_workdays(
            workdays.business_date(start.occurred_at), _today(), ongoing=False
        )
        if days > 0:
            c.legal_due = workdays.add_workdays(c.legal_due, days)
            c.promised_due = workdays.add_workdays(c.promised_due, days)

    return transition(
        case=case, actor=actor, action=A.RESUME, expected_version=expected_version, apply=apply
    )


def case_extend(
    *, actor: User, case: Case, reason: str, expected_version: int | None = None
) -> Case:
    """第四十二条: once, 10 working days, approved by the department head, reason to the applicant."""
    access.require_department(actor, case, Perm.CASE_APPROVE)
    reason = require_reason(reason, _("延长期限的理由"))

    def check(c: Case) -> None:
        if c.events.filter(action=A.EXTEND).exists():
            raise DomainError(CaseErrorCode.EXTENSION_USED, _("办理期限只能延长一次。"))

    def apply(c: Case) -> None:
        c.legal_due = workdays.add_workdays(c.legal_due, clocks.EXTENSION_DAYS)

    case = transition(
        case=case,
        actor=actor,
        action=A.EXTEND,
        reason=reason,
        check=check,
        apply=apply,
        expected_version=expected_version,
        payload={"days": clocks.EXTENSION_DAYS},
    )
    tell_applicant(
        case,
        _("办理期限延长"),
        _("经本机关负责人批准，办理期限延长 10 个工作日，理由：%(r)s") % {"r": reason},
    )
    return case
