"""秒批 / 智能审批: the item's rules at submission, the automatic decision signed "system", the
benefit case of a 免申即享 policy, and the applicant's request for human review
(个人信息保护法第二十四条).

At submission (``case_rules_check``, called by ``case_submit`` once the submission stands):

- no active rule set for the item: nothing happens (the manual queue, as always);
- an ``instant`` set whose rules all pass: the case is accepted, approved and — when the item
  issues a licence — the licence issued, in this request, one event per step, each signed
  "system" (no actor); the evaluation is marked as an automatic decision;
- a blocking rule failed, a needs-review rule failed, a rule errored or a data source was
  unavailable (outcome ``fail`` or ``needs_review``), or anything at all went wrong while
  checking: the case stays submitted, in the manual queue, and the staff case page lists the
  rules that did not pass. Nothing but an outcome of ``pass`` ever approves;
- an ``assist`` set: the rules only pre-check; the reviewer sees their results.

A human review (``case_human_review_request``) opens the item's review step (the first step of
its procedure, 承办 by default) as a task of the department, due in working days from the
working-day calendar: the step's own limit when it has one, otherwise the item's promised
limit, otherwise ``TONGBAN_HUMAN_REVIEW_DAYS`` (5). The due date is the task's ``due_on`` (what
the queue and supervision read) and is told to the applicant. The request is recorded on the
evaluation and as an event of the case; the decision stands until the reviewer's conclusion.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.catalog import selectors as catalog_selectors
from tongban.core import workdays
from tongban.core.errors import DomainError, PermissionDenied
from tongban.core.events import event_append
from tongban.core.permissions import has_role
from tongban.rules import selectors as rules_selectors
from tongban.rules.context import Subject
from tongban.rules.models import Evaluation, Outcome, RuleSetMode
from tongban.rules.services import evaluation as rules_evaluation

from .. import access, application_form
from ..errors import CaseErrorCode
from ..models import Case, CaseEvent, ItemProcedure, ReviewTask, TaskStatus
from ..models.procedure import DEFAULT_STEPS
from ..states import CaseAction as A
from ..states import CaseStatus as S
from . import licensing
from .common import require_reason, transition
from .notices import tell_applicant
from .numbering import next_case_no

logger = logging.getLogger("tongban.cases.instant")

SYSTEM = "system"


def _today() -> dt.date:
    return workdays.business_date(timezone.now())


def subject_of(case: Case) -> Subject:
    """The applicant the rules are about: the enterprise when the case is an enterprise's."""
    if case.enterprise_id is not None:
        return Subject(
            kind="enterprise",
            id_no=case.enterprise.credit_code,
            person=case.applicant,
            enterprise=case.enterprise,
        )
    return Subject(
        kind="person", id_no=case.applicant.id_number, person=case.applicant, enterprise=None
    )


# ---------------------------------------------------------------- at submission


def case_rules_check(*, case: Case) -> Case:
    """Run the item's active rule set on a just-submitted case (see the module's docstring).

    Never fails the submission: whatever goes wrong here leaves the case in the manual queue."""
    try:
        rule_set = rules_selectors.active_rule_set(
            item_code=case.item_version.item.implementation_code,
            item_version_id=case.item_version_id,
        )
    except Exception:
        logger.exception("rule set lookup failed for %s", case.case_no)
        return case
    if rule_set is None:
        return case
    try:
        with transaction.atomic():
            evaluation = rules_evaluation.evaluate(
                rule_set=rule_set,
                subject=subject_of(case),
                form=dict(case.form_data or {}),
                answers=dict(case.answers or {}),
                today=_today(),
                case_no=case.case_no,
                purpose="case",
                actor_label=SYSTEM,
            )
    except Exception:  # never approve on a failure: the case goes to a person
        logger.exception("rules failed for %s: manual review", case.case_no)
        return case
    if rule_set.mode != RuleSetMode.INSTANT or evaluation.outcome != Outcome.PASS:
        return case
    try:
        return approve_by_rules(case=case, evaluation=evaluation)
    except DomainError as exc:  # e.g. a clerk acted first: the case is theirs
        logger.info("instant approval of %s not applied: %s", case.case_no, exc.message)
        return case


def approve_by_rules(*, case: Case, evaluation: Evaluation, notice: str = "") -> Case:
    """Accept and approve a submitted case on a passing evaluation, signed "system", then issue
    its licence (制证) when the item yields one. Accept + approve are one transaction; the
    licence and the ISSUE step another (a failure there leaves the case approved, for staff to
    issue as usual)."""
    if evaluation.outcome != Outcome.PASS:  # the one guard that matters most
        raise DomainError(CaseErrorCode.NOT_AUTOMATIC, _("规则未全部通过，不能自动准予。"))
    version = case.item_version
    today = _today()
    ref = {"evaluation": evaluation.pk, "rule_set": evaluation.rule_set_id, "automatic": True}

    def accept(c: Case) -> None:
        c.accepted_on = today
        c.legal_due = workdays.add_workdays(today, version.legal_limit_days)
        c.promised_due = workdays.add_workdays(today, version.promised_limit_days)

    def approve(c: Case) -> None:
        c.decided_at = timezone.now()
        c.decision_reason = _("经系统核验，符合全部审批规则，自动准予（秒批）。")

    with transaction.atomic():
        case = transition(
            case=case,
            actor=None,
            actor_label=SYSTEM,
            action=A.ACCEPT,
            apply=accept,
            payload={"accepted_on": today.isoformat(), "deemed": False, **ref},
        )
        case = transition(
            case=case,
            actor=None,
            actor_label=SYSTEM,
            action=A.APPROVE,
            apply=approve,
            payload=ref,
        )
        _mark_automatic(evaluation, case.case_no)
        tell_applicant(
            case,
            _("已自动准予"),
            notice
            or _(
                "经系统按审批规则核验，您的申请符合全部条件，已自动准予。可在办件页查看核验说明。"
            ),
        )
    if version.outcome_licence_type:
        try:
            with transaction.atomic():
                payload = licensing.issue_payload(actor=None, case=case)
                if payload:
                    case = transition(
                        case=case,
                        actor=None,
                        actor_label=SYSTEM,
                        action=A.ISSUE,
                        payload={**payload, "automatic": True},
                    )
        except Exception:  # no signing key, bad data: the approval stands, staff issue it
            logger.exception("licence of %s not issued automatically", case.case_no)
    return case


def _mark_automatic(evaluation: Evaluation, case_no: str) -> None:
    # A policy's evaluation (免申即享) gets its benefit case's number: the case page explains
    # itself from it.
    rules_evaluation.evaluation_mark_automatic(evaluation=evaluation, case_no=case_no)


# ---------------------------------------------------------------- 免申即享


def _channel(version) -> str:
    allowed = [c for c in version.channels or [] if c in ("web", "mobile", "kiosk", "window")]
    for preferred in ("web", "mobile"):
        if preferred in allowed:
            return preferred
    return allowed[0] if allowed else "web"


def benefit_case_create(*, policy, subject: Subject, evaluation: Evaluation) -> str:
    """免申即享: the benefit case of ``policy`` for ``subject`` with no application — created,
    submitted, accepted and approved on the policy's passing evaluation, signed "system".
    Returns its case number."""
    if evaluation.outcome != Outcome.PASS:
        raise DomainError(CaseErrorCode.NOT_AUTOMATIC, _("政策资格规则未全部通过，不能自动兑现。"))
    person = subject.person
    if person is None and subject.enterprise is not None:
        person = subject.enterprise.legal_representative
    if person is None:
        raise DomainError(CaseErrorCode.NOT_AUTOMATIC, _("没有可作为申请人的自然人记录。"))
    version = catalog_selectors.published_versions().get(
        item__implementation_code=policy.benefit_item_code
    )
    fields = application_form.fields_of(version)
    form = {
        **application_form.prefill(fields, person=person, enterprise=subject.enterprise),
    }
    channel = _channel(version)
    with transaction.atomic():
        case = Case(
            item_version=version,
            department=version.item.department,
            applicant=person,
            enterprise=subject.enterprise,
            channel=channel,
            answers={},
            form_data=form,
            created_by=None,
        )
        region = version.item.department.region.code[:6]
        case.case_no = next_case_no(region_code=region, day=_today())
        case.save(force_insert=True)
        ref = {"policy": policy.code, "evaluation": evaluation.pk}
        event_append(
            model=CaseEvent,
            stream=case.stream,
            action=A.CREATE,
            actor=None,
            actor_label=SYSTEM,
            to_state=S.DRAFT,
            payload={"channel": channel, **ref},
            case=case,
            new_stream=True,
        )
        case = transition(
            case=case,
            actor=None,
            actor_label=SYSTEM,
            action=A.SUBMIT,
            payload=ref,
            apply=lambda c: setattr(c, "received_at", timezone.now()),
        )
        approve_by_rules(
            case=case,
            evaluation=evaluation,
            notice=_("根据“%(p)s”（免申即享），您无需申请，系统已按有关数据核定并自动准予。")
            % {"p": policy.name},
        )
    return case.case_no


# ---------------------------------------------------------------- human review


def automatic_evaluation(case: Case) -> Evaluation | None:
    """The evaluation the case was decided on automatically, if it was."""
    for evaluation in rules_selectors.evaluations_for_case(case.case_no):
        if evaluation.automatic_decision:
            return evaluation
    return None


def _review_step(case: Case) -> tuple[dict[str, Any], int]:
    procedure = ItemProcedure.objects.filter(item_id=case.item_version.item_id).first()
    steps = procedure.steps if procedure and procedure.steps else DEFAULT_STEPS
    step = steps[0]
    days = int(step.get("limit_days") or 0) or int(case.item_version.promised_limit_days or 0)
    return step, days or int(getattr(settings, "TONGBAN_HUMAN_REVIEW_DAYS", 5))


def human_review_due(case: Case, *, today: dt.date | None = None) -> dt.date:
    _step, days = _review_step(case)
    return workdays.add_workdays(today or _today(), days)


def case_human_review_request(*, actor, case: Case) -> Case:
    """The applicant refuses a decision made only by automation: a person reviews it.

    Only the applicant of the case, only once, only for a case decided by the rules."""
    if getattr(actor, "pk", None) is None or case.applicant.user_id != actor.pk:
        raise PermissionDenied(_("只有申请人本人可以申请人工复核。"))
    step, _days = _review_step(case)
    today = _today()
    due = human_review_due(case, today=today)
    held: dict[str, Any] = {}
    payload: dict[str, Any] = {"step": step["code"], "due": due.isoformat()}

    def check(c: Case) -> None:
        evaluation = automatic_evaluation(c)
        if evaluation is None:
            raise DomainError(
                CaseErrorCode.NOT_AUTOMATIC,
                _("本件不是由系统自动作出的决定，无需申请人工复核。"),
            )
        if evaluation.human_review_requested_at is not None:
            raise _AlreadyRequested(
                CaseErrorCode.HUMAN_REVIEW_REQUESTED,
                _("您已于 %(when)s 申请过人工复核，请等待复核结果。"),
                when=timezone.localtime(evaluation.human_review_requested_at).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            )
        held["evaluation"] = evaluation
        payload["evaluation"] = evaluation.pk

    def then(c: Case) -> None:
        _mark_review_requested(held["evaluation"])
        ReviewTask.objects.create(
            case=c,
            step=step["code"],
            step_name=step["name"],
            role=step["role"],
            department_id=c.department_id,
            status=TaskStatus.OPEN,
            due_on=due,
        )
        tell_applicant(
            c,
            _("已收到人工复核申请"),
            _("工作人员将对系统自动作出的决定进行人工复核，于 %(due)s 前告知结果。")
            % {"due": due.isoformat()},
        )

    return transition(
        case=case,
        actor=actor,
        action=A.HUMAN_REVIEW_REQUEST,
        payload=payload,
        check=check,
        then=then,
    )


class _AlreadyRequested(DomainError):
    status_code = 409


def _mark_review_requested(evaluation: Evaluation) -> None:
    rules_evaluation.evaluation_request_review(evaluation=evaluation)


def case_human_review_complete(*, actor, case: Case, upheld: bool, opinion: str) -> Case:
    """The reviewer's conclusion on a human review: the automatic decision upheld, or not (then
    the department corrects it by its ordinary means — revoking the licence, a new decision)."""
    opinion = require_reason(opinion, _("复核意见"))
    held: dict[str, Any] = {}

    def check(c: Case) -> None:
        task = (
            c.tasks.filter(status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED])
            .select_for_update()
            .first()
        )
        if task is None or not c.events.filter(action=A.HUMAN_REVIEW_REQUEST).exists():
            raise DomainError(CaseErrorCode.NO_TASK, _("该办件没有待办的人工复核。"))
        if not (has_role(actor, task.role) and access.in_department(actor, case)):
            raise PermissionDenied(_("人工复核需由实施部门的相应岗位办理。"))
        held["task"] = task

    def then(c: Case) -> None:
        task = held["task"]
        task.status, task.assignee, task.opinion = TaskStatus.DONE, actor, opinion
        task.completed_at = timezone.now()
        task.save(update_fields=["status", "assignee", "opinion", "completed_at"])
        tell_applicant(
            c,
            _("人工复核结果"),
            (
                _("经人工复核，维持系统作出的决定。")
                if upheld
                else _("经人工复核，系统作出的决定需要更正，部门将另行告知。")
            )
            + _("复核意见：%(o)s") % {"o": opinion},
        )

    return transition(
        case=case,
        actor=actor,
        action=A.HUMAN_REVIEW_COMPLETE,
        reason=opinion,
        payload={"upheld": bool(upheld)},
        check=check,
        then=then,
    )
