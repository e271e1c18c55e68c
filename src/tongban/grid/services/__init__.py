"""Every change in the grid app, one service function each (keyword-only, in one transaction,
a ``DomainError`` with a ``GridErrorCode`` on refusal and nothing changed)."""

from .events import grid_event_report, locate
from .grids import grid_create, grid_update, grid_worker_assign, grid_worker_unassign
from .visits import visit_record, visit_tasks_sync

__all__ = [
    "grid_create",
    "grid_event_report",
    "grid_update",
    "grid_worker_assign",
    "grid_worker_unassign",
    "locate",
    "visit_record",
    "visit_tasks_sync",
]
