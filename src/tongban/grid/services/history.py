"""The grid app's hash-chained events: one helper per stream kind."""

from __future__ import annotations

from typing import Any

from tongban.core.events import event_append

from ..models import Grid, GridChange, VisitTask, VisitTaskEvent


def grid_stream(grid: Grid) -> str:
    return f"grid:{grid.code}"


def visit_stream(task: VisitTask) -> str:
    return f"visit:{task.pk}"


def grid_change_append(
    grid: Grid,
    *,
    actor,
    action: str,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    new_stream: bool = False,
) -> GridChange:
    return event_append(
        model=GridChange,
        stream=grid_stream(grid),
        action=action,
        actor=actor,
        reason=reason,
        payload=payload,
        new_stream=new_stream,
        grid=grid,
    )


def visit_event_append(
    task: VisitTask,
    *,
    actor,
    action: str,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
    new_stream: bool = False,
) -> VisitTaskEvent:
    return event_append(
        model=VisitTaskEvent,
        stream=visit_stream(task),
        action=action,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=payload,
        new_stream=new_stream,
        task=task,
    )
