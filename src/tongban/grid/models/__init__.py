"""Models of the grid app."""

from .grids import Grid, GridAssignment
from .work import EventResolution, GridEvent, VisitOutcome, VisitStatus, VisitTask

__all__ = [
    "EventResolution",
    "Grid",
    "GridAssignment",
    "GridEvent",
    "VisitOutcome",
    "VisitStatus",
    "VisitTask",
]
