from __future__ import annotations

from typing import Any

from ..events import event_append
from ..models import AuditEvent


def audit(
    *, stream: str, action: str, actor=None, reason: str = "", payload: dict[str, Any] | None = None
) -> AuditEvent:
    """Record one change of core's configuration in the hash-chained audit log."""
    return event_append(
        model=AuditEvent,
        stream=stream,
        action=action,
        actor=actor,
        actor_label="" if actor else "system",
        reason=reason,
        payload=payload,
    )
