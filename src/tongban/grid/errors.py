from enum import StrEnum

from tongban.core.errors import DomainError


class GridErrorCode(StrEnum):
    INVALID_INPUT = "invalid_input"
    INVALID_BOUNDARY = "invalid_boundary"
    NOT_A_GRID_WORKER = "not_a_grid_worker"
    NO_GRID = "no_grid"
    OUTSIDE_GRID = "outside_grid"
    LOCATION_REQUIRED = "location_required"
    VISIT_CLOSED = "visit_closed"
    STALE = "stale"


class GridRefused(DomainError):
    """A rule of the grid refused the action (nothing changed)."""

    status_code = 409
