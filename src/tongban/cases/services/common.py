"""The one way a case changes: lock, check the version and the transition, update, append one
event, all in one transaction."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import DomainError, NotFound
from tongban.core.events import event_append

from .. import access
from ..errors import CaseErrorCode
from ..models import Case, CaseEvent
from ..states import CaseAction, TransitionRefused, target_of
from .elements import version


class StaleCase(DomainError):
    status_code = 409


# The rows a case points at that never change for a case: a locked re-read reuses them.
_RELATED = tuple(
    Case._meta.get_field(name)
    for name in ("item_version", "department", "applicant", "enterprise", "agent")
)
_COLUMNS = tuple(f for f in Case._meta.concrete_fields if not f.primary_key)


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


def case_for_change(*, user, case_no: str) -> Case:
    """The case ``user`` is about to act on, read for the change: not found for missing and
    forbidden alike, by the rule of ``selectors.get_case_for_user``.

    One narrow query (the case, its department and applicant); the item version and its item
    come from the process's memory (``elements.version``). Loading every column of the version,
    item and enterprise on each request, as the page lookup does, cost a fifth of an online
    submission's work. The enterprise, when there is one, is read when first used.
    """
    case = (
        Case.objects.select_related("department", "applicant")
        .filter(case_no=case_no)
        .order_by()
        .first()
    )
    if case is None or not access.can_view(user, case):
        raise NotFound(_("没有找到该办件。"))
    case.item_version = version(case.item_version_id)
    return case


def locked(case_id: int, *, like: Case | None = None) -> Case:
    """The case row, locked for the rest of the transaction (one query).

    Only the case row, and as FOR NO KEY UPDATE: a plain FOR UPDATE of a joined query also
    locked the item version, item, department and applicant rows, which every other case of
    the department references, so transitions collided with other cases' inserts (their
    foreign-key checks take KEY SHARE locks) and PostgreSQL found deadlocks. The rows it points
    at are taken from ``like`` (the case as the caller read it) when that holds them: a case
    never changes its item version, department, applicant, enterprise or agent.
    """
    current = Case.objects.select_for_update(no_key=True).get(pk=case_id)
    if like is not None:
        for field in _RELATED:
            if field.is_cached(like) and getattr(like, field.attname) == getattr(
                current, field.attname
            ):
                field.set_cached_value(current, field.get_cached_value(like))
    return current


def _snapshot(case: Case) -> dict[str, Any]:
    return {
        f.attname: copy.deepcopy(v) if isinstance(v := getattr(case, f.attname), dict | list) else v
        for f in _COLUMNS
    }


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
    then: Callable[[Case], None] | None = None,
    actor_label: str = "",
) -> Case:
    """Apply ``action`` to the case under a row lock; exactly one of two racing callers wins.

    In one transaction: lock the row → compare ``expected_version`` → the transition table
    (``TransitionRefused``, 409) → ``check`` (more guards, nothing written yet) → ``apply``
    (the new field values) → update the changed columns → append the event → ``then`` (the
    writes that go with it: a task, a material, a notice). Nothing is written when a guard
    refuses, and everything is undone when a later step fails.
    """
    with transaction.atomic():
        current = locked(case.pk, like=case)
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
        before = _snapshot(current)
        from_state = current.status
        current.status = target
        current.version += 1
        if apply is not None:
            apply(current)
        current.save(
            update_fields=[
                f.name for f in _COLUMNS if getattr(current, f.attname) != before[f.attname]
            ]
        )
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
        if then is not None:
            then(current)
    return current


def require_reason(reason: str, what) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            CaseErrorCode.REASON_REQUIRED, _("请填写%(what)s。"), field="reason", what=what
        )
    return reason
