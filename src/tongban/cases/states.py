"""The case (办件) state machine: statuses, actions, the transition table and its guard.

Nothing else assigns ``Case.status``: every change goes through ``services.lifecycle``, which
calls ``target_of`` under a row lock and appends one event.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import DomainError

from .errors import CaseErrorCode


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待受理")
    CORRECTION_REQUESTED = "correction_requested", _("待补正")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    IN_REVIEW = "in_review", _("审查中")
    SUSPENDED = "suspended", _("特别程序中")
    APPROVED = "approved", _("准予许可")
    DENIED = "denied", _("不予许可")
    ISSUED = "issued", _("已出证")
    DELIVERED = "delivered", _("已送达")
    ARCHIVED = "archived", _("已归档")
    WITHDRAWN = "withdrawn", _("已撤回")


class CaseAction(models.TextChoices):
    CREATE = "create", _("创建")
    SUBMIT = "submit", _("提交申请")
    ACCEPT = "accept", _("受理")
    REFUSE = "refuse", _("不予受理")
    REQUEST_CORRECTION = "request_correction", _("一次性告知补正")
    RESUBMIT = "resubmit", _("补正后重新提交")
    CLAIM = "claim", _("领取任务")
    RELEASE = "release", _("退回任务池")
    COMPLETE_STEP = "complete_step", _("完成审查环节")
    APPROVE = "approve", _("准予许可")
    DENY = "deny", _("不予许可")
    SUSPEND = "suspend", _("进入特别程序")
    RESUME = "resume", _("特别程序结束")
    EXTEND = "extend", _("延长办理期限")
    ISSUE = "issue", _("出具结果")
    DELIVER = "deliver", _("送达")
    ARCHIVE = "archive", _("归档")
    WITHDRAW = "withdraw", _("撤回申请")
    MATERIAL_ADDED = "material_added", _("补充材料")
    FORM_SAVED = "form_saved", _("填写申请表")
    MATERIAL_REMOVED = "material_removed", _("删除材料")
    # 个人信息保护法第二十四条: the applicant asks a person to review an automatic decision.
    HUMAN_REVIEW_REQUEST = "human_review_request", _("申请人工复核")
    HUMAN_REVIEW_COMPLETE = "human_review_complete", _("完成人工复核")
    # 电子监察 (supervision): recorded in the history, the status stays.
    URGE = "urge", _("催办")
    SUPERVISION_ORDER = "supervision_order", _("督办")
    ORDER_RESPONSE = "order_response", _("督办答复")
    CARD = "card", _("监察亮牌")


S = CaseStatus
A = CaseAction

# action → (statuses it may start from, status it leads to; None keeps the status)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    A.SUBMIT: (frozenset({S.DRAFT}), S.SUBMITTED),
    A.ACCEPT: (frozenset({S.SUBMITTED}), S.IN_REVIEW),
    A.REFUSE: (frozenset({S.SUBMITTED}), S.NOT_ACCEPTED),
    A.REQUEST_CORRECTION: (frozenset({S.SUBMITTED}), S.CORRECTION_REQUESTED),
    A.RESUBMIT: (frozenset({S.CORRECTION_REQUESTED}), S.SUBMITTED),
    A.CLAIM: (frozenset({S.IN_REVIEW}), None),
    A.RELEASE: (frozenset({S.IN_REVIEW}), None),
    A.COMPLETE_STEP: (frozenset({S.IN_REVIEW}), None),
    A.APPROVE: (frozenset({S.IN_REVIEW}), S.APPROVED),
    A.DENY: (frozenset({S.IN_REVIEW}), S.DENIED),
    A.SUSPEND: (frozenset({S.IN_REVIEW}), S.SUSPENDED),
    A.RESUME: (frozenset({S.SUSPENDED}), S.IN_REVIEW),
    A.EXTEND: (frozenset({S.IN_REVIEW, S.SUSPENDED}), None),
    A.ISSUE: (frozenset({S.APPROVED}), S.ISSUED),
    A.DELIVER: (frozenset({S.ISSUED, S.DENIED, S.NOT_ACCEPTED}), S.DELIVERED),
    A.ARCHIVE: (frozenset({S.DELIVERED, S.WITHDRAWN}), S.ARCHIVED),
    A.WITHDRAW: (
        frozenset({S.DRAFT, S.SUBMITTED, S.CORRECTION_REQUESTED, S.IN_REVIEW, S.SUSPENDED}),
        S.WITHDRAWN,
    ),
    A.MATERIAL_ADDED: (
        frozenset({S.DRAFT, S.CORRECTION_REQUESTED, S.IN_REVIEW, S.SUSPENDED, S.SUBMITTED}),
        None,
    ),
    # The applicant edits a draft (and the form again while asked to correct it).
    A.FORM_SAVED: (frozenset({S.DRAFT, S.CORRECTION_REQUESTED}), None),
    A.MATERIAL_REMOVED: (frozenset({S.DRAFT}), None),
    # An automatic approval reviewed by a person on the applicant's request (the status stays).
    A.HUMAN_REVIEW_REQUEST: (frozenset({S.APPROVED, S.ISSUED, S.DELIVERED, S.ARCHIVED}), None),
    A.HUMAN_REVIEW_COMPLETE: (frozenset({S.APPROVED, S.ISSUED, S.DELIVERED, S.ARCHIVED}), None),
    # Supervision records (tongban.cases.services.supervision): on any case past its draft.
    **{
        action: (frozenset(set(S.values) - {S.DRAFT}), None)
        for action in (A.URGE, A.SUPERVISION_ORDER, A.ORDER_RESPONSE, A.CARD)
    },
}

# Where the case stands for the applicant's step indicator (申报 → 受理 → 审查 → 决定 → 送达).
STAGES = ["apply", "accept", "review", "decide", "deliver"]
STAGE_OF = {
    S.DRAFT: "apply",
    S.SUBMITTED: "accept",
    S.CORRECTION_REQUESTED: "accept",
    S.NOT_ACCEPTED: "accept",
    S.IN_REVIEW: "review",
    S.SUSPENDED: "review",
    S.APPROVED: "decide",
    S.DENIED: "decide",
    S.ISSUED: "deliver",
    S.DELIVERED: "deliver",
    S.ARCHIVED: "deliver",
    S.WITHDRAWN: "apply",
}
DECIDED = frozenset({S.APPROVED, S.DENIED, S.ISSUED, S.DELIVERED, S.ARCHIVED})
OPEN = frozenset({S.SUBMITTED, S.CORRECTION_REQUESTED, S.IN_REVIEW, S.SUSPENDED})


class TransitionRefused(DomainError):
    status_code = 409


def target_of(action: str, status: str) -> str:
    """The status ``action`` leads to from ``status``; refuses a transition the table lacks."""
    sources, target = TRANSITIONS[action]
    if status not in sources:
        raise TransitionRefused(
            CaseErrorCode.TRANSITION_NOT_ALLOWED,
            _("办件当前状态为“%(status)s”，不能“%(action)s”。"),
            status=CaseStatus(status).label,
            action=CaseAction(action).label,
        )
    return status if target is None else target


def allowed_actions(status: str) -> list[str]:
    return [a for a, (sources, _t) in TRANSITIONS.items() if status in sources]
