"""Every change in the grid app, one service function each (keyword-only, in one transaction,
a ``DomainError`` with a ``GridErrorCode`` on refusal and nothing changed)."""

from .events import grid_event_report, locate
from .grids import grid_create, grid_worker_assign
from .visits import visit_record, visit_tasks_sync

__all__ = [
    "grid_create",
    "grid_event_report",
    "grid_worker_assign",
    "locate",
    "visit_record",
    "visit_tasks_sync",
]
