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
    # [B] 告知承诺制: a decision revoked after a failed post-check (事中事后核查).
    REVOKED = "revoked", _("已撤销")


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
    # [B] 容缺受理 and 告知承诺制 (services.deferrals, services.commitments).
    SUPPLEMENTED = "supplemented", _("容缺材料补齐")
    POST_CHECK_PASS = "post_check_pass", _("核查通过")
    REVOKE = "revoke", _("撤销审批决定")
    # [B] Approval operations on review steps (services.approvals): the status stays.
    STEP_SIGN = "step_sign", _("签署环节意见")
    TASK_TRANSFER = "task_transfer", _("转办")
    TASK_DELEGATE = "task_delegate", _("委派")
    TASK_TAKE_BACK = "task_take_back", _("收回委派")
    TASK_ADD_SIGNER = "task_add_signer", _("加签")
    SEND_BACK = "send_back", _("退回")
    TASK_URGE = "task_urge", _("催办当前环节")
    # [W] 自助取件: the result placed in a pickup locker, its code sent (services.delivery).
    LOCKER_PLACED = "locker_placed", _("放入自助取件柜")


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
        frozenset({S.DRAFT, S.CORRECTION_REQUESTED, S.IN_REVIEW, S.SUSPENDED, S.SUBMITTED})
        | {S.APPROVED, S.ISSUED},  # [B] 容缺: a deferred material supplied after the decision
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
    # [B] 容缺受理 and 告知承诺制: recorded in the history (the status stays), and the revocation
    # of a decision after a false commitment.
    A.SUPPLEMENTED: (
        frozenset({S.SUBMITTED, S.IN_REVIEW, S.SUSPENDED, S.APPROVED, S.ISSUED}),
        None,
    ),
    A.POST_CHECK_PASS: (frozenset({S.APPROVED, S.ISSUED, S.DELIVERED, S.ARCHIVED}), None),
    A.REVOKE: (frozenset({S.APPROVED, S.ISSUED, S.DELIVERED, S.ARCHIVED}), S.REVOKED),
    # [W] The result waits in a pickup locker (the status stays until it is collected).
    A.LOCKER_PLACED: (frozenset({S.ISSUED, S.DENIED, S.NOT_ACCEPTED}), None),
    # [B] Approval operations on the review step in hand (tongban.cases.services.approvals).
    **{
        action: (frozenset({S.IN_REVIEW}), None)
        for action in (
            A.STEP_SIGN,
            A.TASK_TRANSFER,
            A.TASK_DELEGATE,
            A.TASK_TAKE_BACK,
            A.TASK_ADD_SIGNER,
            A.SEND_BACK,
            A.TASK_URGE,
        )
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
    S.REVOKED: "decide",
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


# [B] 一件事 (bundles): the bundle application's own status. Its children are ordinary cases;
# the bundle is accepted once (their acceptance together) and delivered once (一口出件).
class BundleStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    IN_PROGRESS = "in_progress", _("并联审批中")
    DELIVERED = "delivered", _("已统一出件")
    WITHDRAWN = "withdrawn", _("已撤回")


class BundleAction(models.TextChoices):
    SUBMIT = "submit", _("提交一件事申请")
    ACCEPT = "accept", _("一次受理")
    CONTINUE_PARTIAL = "continue_partial", _("选择继续办理已准予的事项")
    DELIVER = "deliver", _("统一出件")
    WITHDRAW = "withdraw", _("撤回申请")


BS = BundleStatus
BUNDLE_TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    BundleAction.ACCEPT: (frozenset({BS.SUBMITTED}), BS.IN_PROGRESS),
    BundleAction.CONTINUE_PARTIAL: (frozenset({BS.IN_PROGRESS}), None),
    BundleAction.DELIVER: (frozenset({BS.IN_PROGRESS}), BS.DELIVERED),
    BundleAction.WITHDRAW: (frozenset({BS.SUBMITTED, BS.IN_PROGRESS}), BS.WITHDRAWN),
}


def bundle_target_of(action: str, status: str) -> str:
    """The bundle status ``action`` leads to from ``status``; refuses what the table lacks."""
    sources, target = BUNDLE_TRANSITIONS[action]
    if status not in sources:
        raise TransitionRefused(
            CaseErrorCode.TRANSITION_NOT_ALLOWED,
            _("一件事当前状态为“%(status)s”，不能“%(action)s”。"),
            status=BundleStatus(status).label,
            action=BundleAction(action).label,
        )
    return status if target is None else target
