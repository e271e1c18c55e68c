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
from tongban.core.errors import CoreErrorCode, DomainError, NotFound, ValidationFailed
from tongban.core.events import event_append
from tongban.core.models import Enterprise, Person, User
from tongban.core.permissions import Perm
from tongban.core.selectors import can_act_for

from .. import access, application_form, clocks, selectors
from ..errors import CaseErrorCode
from ..models import ApplicantBar, Case, CaseEvent, ItemProcedure, ReviewTask, TaskStatus
from ..models.procedure import DEFAULT_STEPS
from ..states import CaseAction as A
from ..states import CaseStatus as S
from . import commitments, deferrals, instant, licensing
from .common import require_reason, transition
from .drafts import clean_form
from .elements import with_elements
from .notices import tell_applicant
from .numbering import next_case_no
from .signers import signers_open


def _today() -> dt.date:
    return workdays.business_date(timezone.now())


def _check_bar(person: Person, enterprise: Enterprise | None, version: ServiceItemVersion):
    bar = (
        ApplicantBar.objects.filter(item_id=version.item_id, until__gte=_today())
        .filter(
            person=person if enterprise is None else None,
            enterprise=enterprise,
        )
        .order_by()
        .values_list("until", "reason")
        .first()
    )
    if bar is not None:
        raise DomainError(
            CaseErrorCode.APPLICANT_BARRED,
            _("申请人在 %(until)s 前不得申请该事项：%(reason)s（行政许可法第七十八、七十九条）"),
            until=bar[0].isoformat(),
            reason=bar[1],
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
    case, _created = case_create_or_replay(
        actor=actor,
        item_code=item_code,
        applicant=applicant,
        channel=channel,
        enterprise=enterprise,
        answers=answers,
        form_data=form_data,
        idempotency_key=idempotency_key,
    )
    return case


def _replayed(actor: User, idempotency_key: str) -> Case | None:
    pk = (
        Case.objects.filter(created_by=actor, idempotency_key=idempotency_key)
        .order_by()
        .values_list("pk", flat=True)
        .first()
    )
    if pk is None:
        return None
    return Case.objects.select_related("item_version__item", "department", "applicant").get(pk=pk)


def case_create_or_replay(
    *,
    actor: User,
    item_code: str,
    applicant: Person,
    channel: str,
    enterprise: Enterprise | None = None,
    answers: dict[str, str] | None = None,
    form_data: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> tuple[Case, bool]:
    """``case_create``, and whether it created the case (False: the key's earlier case)."""
    if idempotency_key:
        existing = _replayed(actor, idempotency_key)
        if existing is not None:
            return existing, False
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
        form_data={k: v for k, v in clean_form(version, form_data or {}).items() if v},
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
            case.save(force_insert=True)
            event_append(
                model=CaseEvent,
                stream=case.stream,
                action=A.CREATE,
                actor=actor,
                to_state=S.DRAFT,
                payload={"channel": channel},
                case=case,
                new_stream=True,  # a new case number: its history starts here
            )
    except IntegrityError:
        if idempotency_key:  # a concurrent retry with the same key won
            existing = _replayed(actor, idempotency_key)
            if existing is not None:
                return existing, False
        raise
    licensing.case_licences_attach(actor=actor, case=case)  # 免证办
    return case, True


def _published_version(code: str) -> ServiceItemVersion:
    """The item's published version (one query: with its item, department and region as they
    stand now) with its materials and situation questions (kept by the process)."""
    try:
        version = catalog_selectors.published_versions().get(item__implementation_code=code)
    except ServiceItemVersion.DoesNotExist:
        raise NotFound(
            _("没有找到实施编码为 %(code)s 的在办事项。") % {"code": code[:40]}
        ) from None
    return with_elements(version)


def _required_missing(case: Case, have: set[int] | None = None) -> list[str]:
    result = catalog_selectors.materials_for(with_elements(case.item_version), case.answers)
    if have is None:
        have = set(case.materials.order_by().values_list("material_id", flat=True))
    return [n.material.name for n in result.materials if n.required and n.material.pk not in have]


def _completed_form(case: Case) -> dict[str, Any]:
    """The application form as submitted: its values, and for a required field left empty the
    value the platform holds (the applicant's phone and address, as a new draft is prefilled).
    Refuses, listing them, the required fields that have neither."""
    fields = application_form.fields_of(case.item_version)
    known = application_form.known_values(fields, person=case.applicant, enterprise=case.enterprise)
    values = dict(case.form_data or {})
    missing = application_form.missing_fields(fields, values, known)
    if missing:
        held = application_form.prefill(missing, person=case.applicant, enterprise=case.enterprise)
        values.update(held)
        missing = [f for f in missing if f.code not in held]
    if missing:
        raise ValidationFailed(
            CoreErrorCode.INVALID_INPUT,
            _("申请表还有必填项没有填写：%(fields)s。请填写后再提交。"),
            field="form_data",
            fields="、".join(str(f.label) for f in missing),
        )
    return values


def case_submit(*, actor: User, case: Case, expected_version: int | None = None) -> Case:
    """Submit: every required material must be present (uploaded, e-licence, deferred, promised)
    and every required field of the application form filled in."""
    access.require_applicant_side(actor, case)
    with_elements(case.item_version)  # before the lock (and kept, when read outside one)
    form: dict[str, Any] = {}

    def check(c: Case) -> None:
        _check_bar(c.applicant, c.enterprise, c.item_version)
        present = dict(c.materials.order_by().values_list("material_id", "licence_identifier"))
        missing = _required_missing(c, set(present))
        if missing:
            raise DomainError(
                CaseErrorCode.MATERIALS_MISSING,
                _("还缺少材料：%(m)s"),
                field="materials",
                m="、".join(missing),
            )
        lapsed = licensing.invalid_attached(c, present)
        if lapsed:
            raise DomainError(
                CaseErrorCode.MATERIALS_MISSING,
                _(
                    "所用的电子证照已失效（已过期、已注销或已换发）：%(m)s。请撤销该选择后上传材料。"
                ),
                field="materials",
                m="、".join(lapsed),
            )
        form.update(_completed_form(c))

    def apply(c: Case) -> None:
        c.received_at = timezone.now()
        c.form_data = form

    submitted = transition(
        case=case,
        actor=actor,
        action=A.SUBMIT,
        expected_version=expected_version,
        check=check,
        apply=apply,
    )
    return instant.case_rules_check(case=submitted)  # 秒批: the item's rules, if it has any


def _first_task(case: Case) -> None:
    procedure = ItemProcedure.objects.filter(item_id=case.item_version.item_id).first()
    steps = procedure.steps if procedure and procedure.steps else DEFAULT_STEPS
    _open_task(case, steps[0], procedure)


def _open_task(case: Case, step: dict[str, Any], procedure: ItemProcedure | None) -> ReviewTask:
    """The step's task, assigned as the item's procedure says (one insert)."""
    assignee = None
    mode = procedure.assignment if procedure else "random"
    if mode != "pool":
        candidates = list(
            User.objects.filter(
                is_active=True, staff__department=case.department_id, groups__name=step["role"]
            )
        )
        if candidates:
            if mode == "least_loaded":
                load = {
                    u.pk: u.review_tasks.filter(status=TaskStatus.CLAIMED).count()
                    for u in candidates
                }
                assignee = min(candidates, key=lambda u: (load[u.pk], u.pk))
            else:
                assignee = random.choice(candidates)  # noqa: S311 - fairness, not security
    task = ReviewTask.objects.create(
        case=case,
        step=step["code"],
        step_name=step["name"],
        role=step["role"],
        department_id=case.department_id,
        assignee=assignee,
        status=TaskStatus.CLAIMED if assignee is not None else TaskStatus.OPEN,
    )
    signers_open(task, step)  # 会签 / 或签 / 票签 / 依次审批 (services.signers)
    return task


def case_accept(*, actor: User, case: Case, expected_version: int | None = None) -> Case:
    """受理. Late acceptance is dated back to receipt (第三十二条 deemed acceptance).

    Accepted, its first task and the applicant's notice: one transaction, all or nothing."""
    access.require_clerk(actor)
    today = _today()
    version = case.item_version
    payload: dict[str, Any] = {}

    def check(c: Case) -> None:
        received = workdays.business_date(c.received_at) if c.received_at else today
        deemed = today > workdays.add_workdays(received, clocks.CORRECTION_NOTICE_DAYS)
        payload.update(accepted_on=(received if deemed else today).isoformat(), deemed=deemed)

    def apply(c: Case) -> None:
        accepted_on = dt.date.fromisoformat(payload["accepted_on"])
        c.accepted_on = accepted_on
        c.legal_due = workdays.add_workdays(accepted_on, version.legal_limit_days)
        c.promised_due = workdays.add_workdays(accepted_on, version.promised_limit_days)

    def then(c: Case) -> None:
        _first_task(c)
        deferrals.deferral_record(case=c)  # [B] 容缺: the supplement deadline
        commitments.commitment_record(case=c)  # [B] 告知承诺: the signed text, the post-check
        tell_applicant(
            c,
            _("已受理"),
            _("已于 %(day)s 受理，承诺于 %(due)s 前办结。")
            % {"day": c.accepted_on.isoformat(), "due": c.promised_due.isoformat()},
        )

    return transition(
        case=case,
        actor=actor,
        action=A.ACCEPT,
        expected_version=expected_version,
        check=check,
        apply=apply,
        then=then,
        payload=payload,
    )


def case_refuse(
    *, actor: User, case: Case, reason: str, expected_version: int | None = None
) -> Case:
    """不予受理, with the written reason (and where to apply instead, when out of scope)."""
    access.require_clerk(actor)
    reason = require_reason(reason, _("不予受理的理由"))
    return transition(
        case=case,
        actor=actor,
        action=A.REFUSE,
        reason=reason,
        expected_version=expected_version,
        apply=lambda c: setattr(c, "decision_reason", reason),
        then=lambda c: tell_applicant(c, _("不予受理"), _("不予受理，理由：%(r)s") % {"r": reason}),
    )


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

    return transition(
        case=case,
        actor=actor,
        action=A.REQUEST_CORRECTION,
        reason=note,
        expected_version=expected_version,
        check=check,
        payload={"missing": missing},
        then=lambda c: tell_applicant(
            c, _("请补正材料"), _("请一次性补正以下材料：%(m)s") % {"m": "、".join(missing)}
        ),
    )


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
    return transition(
        case=case,
        actor=actor,
        action=A.SUSPEND,
        reason=reason,
        expected_version=expected_version,
        payload={"kind": kind, "expected_days": int(expected_days)},
        then=lambda c: tell_applicant(
            c,
            _("进入特别程序"),
            _("因%(r)s进入特别程序，预计需要 %(n)d 个工作日，所需时间不计入办理期限。")
            % {"r": reason, "n": int(expected_days)},
        ),
    )


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

    return transition(
        case=case,
        actor=actor,
        action=A.EXTEND,
        reason=reason,
        check=check,
        apply=apply,
        expected_version=expected_version,
        payload={"days": clocks.EXTENSION_DAYS},
        then=lambda c: tell_applicant(
            c,
            _("办理期限延长"),
            _("经本机关负责人批准，办理期限延长 10 个工作日，理由：%(r)s") % {"r": reason},
        ),
    )
