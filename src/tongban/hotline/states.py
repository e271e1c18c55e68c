"""The ticket (工单) state machine: the one module that says which action leads where.

RECEIVED ─┬─ answer directly / transfer to 110·119·120·122 / tell the legal route /
          │  explain and close / refer to the police ──────────────────────────► CLOSED
          └─ dispatch ─► DISPATCHED ─ sign for ─► HANDLING ─ reply ─► REPLIED
                          │  ▲                      │ ▲                 │
                 return ──┘  └─ return accepted +   │ └ extension       └─ callback ─► CLOSED
                 (RETURN_REQUESTED)  re-dispatch    │                            │
                                                    └─ return (within 1 day)     └─ reopen ─► DISPATCHED

An automatic dispatch (秒派) not yet signed for may be undone within a window: DISPATCHED ─ undo
auto-dispatch ─► RECEIVED, back in the dispatcher's queue.

A ticket merged into another (并单, [G]) is MERGED. Services in ``services`` are the only code that
moves a ticket; each checks ``target_of`` and writes one hash-chained ``TicketEvent``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import DomainError

from .errors import TicketErrorCode


class TicketStatus(models.TextChoices):
    RECEIVED = "received", _("已登记")
    DISPATCHED = "dispatched", _("待签收")
    RETURN_REQUESTED = "return_requested", _("退单待审核")
    HANDLING = "handling", _("办理中")
    REPLIED = "replied", _("已答复待回访")
    CLOSED = "closed", _("已办结")
    MERGED = "merged", _("已并单")


class TriageOutcome(models.TextChoices):
    """国办函〔2025〕66号 (二): what the operator decides at intake."""

    PROCEDURE = "procedure", _("按程序办理")
    DIRECT_ANSWER = "direct_answer", _("直接办结")
    EMERGENCY_TRANSFER = "emergency_transfer", _("即时转接紧急热线")
    LEGAL_ROUTE = "legal_route", _("告知法定途径")
    EXPLAIN_CLOSE = "explain_close", _("解释说明后办结")
    POLICE_REFERRAL = "police_referral", _("移交公安机关")


class TicketAction(models.TextChoices):
    CREATE = "create", _("登记工单")
    DIRECT_ANSWER = "direct_answer", _("直接办结")
    EMERGENCY_TRANSFER = "emergency_transfer", _("转接紧急热线")
    LEGAL_ROUTE = "legal_route", _("告知法定途径")
    EXPLAIN_CLOSE = "explain_close", _("解释说明后办结")
    POLICE_REFERRAL = "police_referral", _("移交公安机关")
    DISPATCH = "dispatch", _("派单")
    UNDO_AUTO_DISPATCH = "undo_auto_dispatch", _("撤销秒派")
    SIGN = "sign", _("签收")
    REQUEST_RETURN = "request_return", _("申请退单")
    ACCEPT_RETURN = "accept_return", _("同意退单")
    REJECT_RETURN = "reject_return", _("驳回退单")
    REQUEST_EXTENSION = "request_extension", _("申请延期")
    APPROVE_EXTENSION = "approve_extension", _("同意延期")
    REFUSE_EXTENSION = "refuse_extension", _("不同意延期")
    REPLY = "reply", _("办理答复")
    CALLBACK = "callback", _("回访")
    REOPEN = "reopen", _("重办")
    ESCALATE = "escalate", _("提级督办")
    URGE = "urge", _("催办")
    MERGE = "merge", _("并单")
    NOTE = "note", _("备注")
    # 电子监察 (supervision): recorded in the history, the status stays (urging is URGE).
    SUPERVISION_ORDER = "supervision_order", _("督办")
    ORDER_RESPONSE = "order_response", _("督办答复")
    CARD = "card", _("监察亮牌")
    # [G] joint handling (联动) and merging (并单): g1's block
    JOINT_DISPATCH = "joint_dispatch", _("联动派单")
    CO_SIGN = "co_sign", _("协办签收")
    CO_REPLY = "co_reply", _("协办答复")
    CO_RELEASE = "co_release", _("解除协办")
    COORDINATE = "coordinate", _("协调会议")
    MERGED_IN = "merged_in", _("接收并单")
    SPLIT = "split", _("拆分并单")
    SPLIT_OFF = "split_off", _("移出并单")
    SHARED_REPLY = "shared_reply", _("并单同步答复")
    # end of g1's block
    # [G] grid: a grid worker closes an event they solved on the spot when reporting it.
    SELF_RESOLVE = "self_resolve", _("自行处置")


S = TicketStatus
A = TicketAction

# The triage outcomes that close a ticket at intake.
CLOSING_TRIAGE = {
    A.DIRECT_ANSWER: TriageOutcome.DIRECT_ANSWER,
    A.EMERGENCY_TRANSFER: TriageOutcome.EMERGENCY_TRANSFER,
    A.LEGAL_ROUTE: TriageOutcome.LEGAL_ROUTE,
    A.EXPLAIN_CLOSE: TriageOutcome.EXPLAIN_CLOSE,
    A.POLICE_REFERRAL: TriageOutcome.POLICE_REFERRAL,
}

TRANSITIONS: dict[tuple[str, str], str] = {
    **{(S.RECEIVED, action): S.CLOSED for action in CLOSING_TRIAGE},
    (S.RECEIVED, A.DISPATCH): S.DISPATCHED,
    (S.RECEIVED, A.SELF_RESOLVE): S.CLOSED,  # [G] grid event solved on the spot
    (S.DISPATCHED, A.SIGN): S.HANDLING,
    (S.DISPATCHED, A.UNDO_AUTO_DISPATCH): S.RECEIVED,
    (S.DISPATCHED, A.REQUEST_RETURN): S.RETURN_REQUESTED,
    (S.HANDLING, A.REQUEST_RETURN): S.RETURN_REQUESTED,
    (S.RETURN_REQUESTED, A.ACCEPT_RETURN): S.RECEIVED,
    (S.RETURN_REQUESTED, A.REJECT_RETURN): S.DISPATCHED,
    (S.HANDLING, A.REQUEST_EXTENSION): S.HANDLING,
    (S.HANDLING, A.APPROVE_EXTENSION): S.HANDLING,
    (S.HANDLING, A.REFUSE_EXTENSION): S.HANDLING,
    (S.HANDLING, A.REPLY): S.REPLIED,
    (S.REPLIED, A.CALLBACK): S.CLOSED,
    (S.REPLIED, A.REOPEN): S.DISPATCHED,
    (S.CLOSED, A.REOPEN): S.DISPATCHED,
    **{(state, A.ESCALATE): state for state in (S.DISPATCHED, S.HANDLING, S.RETURN_REQUESTED)},
    **{(state, A.URGE): state for state in (S.DISPATCHED, S.HANDLING)},
    **{(state, A.MERGE): S.MERGED for state in (S.RECEIVED, S.DISPATCHED, S.HANDLING)},
    **{(state, A.NOTE): state for state in S.values},
    **{
        (state, action): state
        for state in S.values
        for action in (A.SUPERVISION_ORDER, A.ORDER_RESPONSE, A.CARD)
    },
}

# [G] joint handling and merging (g1's block)
JOINT_STATES = (S.DISPATCHED, S.HANDLING, S.RETURN_REQUESTED)
TRANSITIONS.update(
    {
        (S.RECEIVED, A.JOINT_DISPATCH): S.DISPATCHED,
        **{(state, A.JOINT_DISPATCH): state for state in (S.DISPATCHED, S.HANDLING)},
        **{(state, A.CO_SIGN): state for state in JOINT_STATES},
        **{(state, A.CO_REPLY): state for state in JOINT_STATES},
        **{(state, A.CO_RELEASE): state for state in JOINT_STATES},
        **{(state, A.COORDINATE): state for state in JOINT_STATES},
        **{
            (state, A.MERGED_IN): state
            for state in (S.RECEIVED, S.DISPATCHED, S.RETURN_REQUESTED, S.HANDLING)
        },
        (S.MERGED, A.SPLIT): S.RECEIVED,
        **{(state, A.SPLIT_OFF): state for state in S.values if state != S.MERGED},
        (S.MERGED, A.SHARED_REPLY): S.MERGED,
        (S.MERGED, A.CALLBACK): S.MERGED,  # each merged caller is called back on their ticket
    }
)
# end of g1's block

OPEN_STATES = frozenset({S.RECEIVED, S.DISPATCHED, S.RETURN_REQUESTED, S.HANDLING})


class TicketTransitionRefused(DomainError):
    status_code = 409


def target_of(status: str, action: str) -> str:
    """The state ``action`` leads to from ``status``; refused when the machine has no such edge."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise TicketTransitionRefused(
            TicketErrorCode.TRANSITION_NOT_ALLOWED,
            _("工单当前为“%(status)s”，不能“%(action)s”。"),
            status=TicketStatus(status).label,
            action=TicketAction(action).label,
        ) from None
