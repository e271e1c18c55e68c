"""The hotline's REST API (/api/v1/tickets …)."""

from ninja import Router

router = Router(tags=["hotline"])
