"""Models of the grid app."""

from .grids import Grid, GridAssignment
from .history import GridChange, VisitTaskEvent
from .work import EventResolution, GridEvent, VisitOutcome, VisitStatus, VisitTask

__all__ = [
    "EventResolution",
    "Grid",
    "GridAssignment",
    "GridChange",
    "GridEvent",
    "VisitOutcome",
    "VisitStatus",
    "VisitTask",
    "VisitTaskEvent",
]
