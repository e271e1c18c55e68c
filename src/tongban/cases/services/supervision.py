"""Supervision records in a case's history (电子监察: 催办, 督办, 督办答复, 监察亮牌).

The supervision app decides and stores urges, orders and cards; this writes the matching event
on the case's own hash-chained stream, so the history shows them. The status and the version
stay as they are: a supervisor's urge must not make a reviewer's open form stale.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tongban.core.events import event_append

from ..models import Case, CaseEvent
from ..states import CaseAction as A
from ..states import target_of
from .common import locked

SUPERVISION_ACTIONS = frozenset({A.URGE, A.SUPERVISION_ORDER, A.ORDER_RESPONSE, A.CARD})


def case_supervision_record(
    *, actor, case: Case, action: str, reason: str, payload: dict[str, Any] | None = None
) -> CaseEvent:
    """Append one supervision event (``action`` one of ``SUPERVISION_ACTIONS``) to the case's
    history, under the case's row lock; ``actor`` None for the system (the sweep).

    Refused (``TransitionRefused``) on a draft, which is nobody's business but the applicant's.
    The caller (the supervision app) has checked the actor's permission."""
    if action not in SUPERVISION_ACTIONS:
        raise ValueError(f"not a supervision action: {action}")
    with transaction.atomic():
        current = locked(case.pk, like=case)
        target_of(action, current.status)
        return event_append(
            model=CaseEvent,
            stream=current.stream,
            action=action,
            actor=actor,
            from_state=current.status,
            to_state=current.status,
            reason=(reason or "")[:2000],
            payload=payload or {},
            case=current,
        )
