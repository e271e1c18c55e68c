"""The rectification (差评整改) state machine: verifying → rectifying → reviewing → closed.

回访核实 (verify) within the verify deadline, 整改答复 (respond: 立行立改 / 限期整改 / 解释说明)
within the rectify deadline, the supervisor's review (approve closes and informs the citizen;
send back returns it to rectifying). An upheld appeal (申诉复核) closes it from any open state.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .errors import RatingErrorCode, RatingRefused
from .models import RectificationStatus as S


class RectificationAction(models.TextChoices):
    OPEN = "open", _("生成差评整改")
    VERIFY = "verify", _("回访核实")
    RESPOND = "respond", _("整改答复")
    APPROVE = "approve", _("审核通过")
    SEND_BACK = "send_back", _("退回整改")
    APPEAL = "appeal", _("提出申诉")
    APPEAL_UPHOLD = "appeal_uphold", _("申诉成立")
    APPEAL_REJECT = "appeal_reject", _("申诉不成立")
    CONTACT_VIEW = "contact_view", _("查看评价人联系方式")


A = RectificationAction
OPEN_STATES = frozenset({S.VERIFYING, S.RECTIFYING, S.REVIEWING})

TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    A.VERIFY: (frozenset({S.VERIFYING}), S.RECTIFYING),
    A.RESPOND: (frozenset({S.RECTIFYING}), S.REVIEWING),
    A.APPROVE: (frozenset({S.REVIEWING}), S.CLOSED),
    A.SEND_BACK: (frozenset({S.REVIEWING}), S.RECTIFYING),
    A.APPEAL: (OPEN_STATES, None),
    A.APPEAL_UPHOLD: (OPEN_STATES, S.CLOSED),
    A.APPEAL_REJECT: (OPEN_STATES, None),
}


def target_of(action: str, status: str) -> str:
    sources, target = TRANSITIONS[action]
    if status not in sources:
        raise RatingRefused(
            RatingErrorCode.TRANSITION_NOT_ALLOWED,
            _("整改当前状态为“%(status)s”，不能“%(action)s”。"),
            status=S(status).label,
            action=RectificationAction(action).label,
        )
    return status if target is None else target


def allowed_actions(status: str) -> list[str]:
    return [a for a, (sources, _t) in TRANSITIONS.items() if status in sources]
