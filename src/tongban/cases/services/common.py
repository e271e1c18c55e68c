"""The one way a case changes: lock, check the version and the transition, update, append one
event, all in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import DomainError
from tongban.core.events import event_append

from ..errors import CaseErrorCode
from ..models import Case, CaseEvent
from ..states import CaseAction, TransitionRefused, target_of


class StaleCase(DomainError):
    status_code = 409


def _last_handled(case: Case) -> str:
    last = case.events.order_by("-seq").first()
    if last is None:
        return ""
    return str(
        _("（最近一次由 %(who)s 于 %(when)s “%(action)s”）")
        % {
            "who": last.actor_label or _("系统"),
            "when": last.occurred_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            "action": CaseAction(last.action).label
            if last.action in CaseAction.values
            else last.action,
        }
    )


def locked(case_id: int) -> Case:
    """The case row, locked for the rest of the transaction.

    Only the case row (``of=self``), and as FOR NO KEY UPDATE: a plain FOR UPDATE of this
    joined query also locked the item version, item, department and applicant rows, which
    every other case of the department references, so transitions collided with other cases'
    inserts (their foreign-key checks take KEY SHARE locks) and PostgreSQL found deadlocks.
    """
    return (
        Case.objects.select_for_update(of=("self",), no_key=True)
        .select_related("item_version__item", "department", "applicant")
        .get(pk=case_id)
    )


def transition(
    *,
    case: Case,
    actor,
    action: str,
    expected_version: int | None = None,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    check: Callable[[Case], None] | None = None,
    apply: Callable[[Case], None] | None = None,
    actor_label: str = "",
) -> Case:
    """Apply ``action`` to the case under a row lock; exactly one of two racing callers wins."""
    with transaction.atomic():
        current = locked(case.pk)
        if expected_version is not None and current.version != expected_version:
            raise StaleCase(
                CaseErrorCode.STALE,
                _("该办件已被其他人办理，请刷新后查看。%(last)s"),
                last=_last_handled(current),
            )
        try:
            target = target_of(action, current.status)
        except TransitionRefused as exc:
            exc.params["status"] = str(exc.params["status"]) + _last_handled(current)
            raise
        if check is not None:
            check(current)
        from_state = current.status
        current.status = target
        current.version += 1
        if apply is not None:
            apply(current)
        current.save()
        event_append(
            model=CaseEvent,
            stream=current.stream,
            action=action,
            actor=actor,
            actor_label=actor_label,
            from_state=from_state,
            to_state=target,
            reason=reason,
            payload=payload,
            case=current,
        )
    return current


def require_reason(reason: str, what) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            CaseErrorCode.REASON_REQUIRED, _("请填写%(what)s。"), field="reason", what=what
        )
    return reason
