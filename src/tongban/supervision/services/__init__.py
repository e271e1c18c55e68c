"""Every change the supervision app makes: cards, urges, orders, reports, score weights."""

from .cards import SweepResult, card_explain, card_raise, card_resolve, supervision_sweep
from .interventions import (
    subject_find,
    supervision_order_close,
    supervision_order_open,
    supervision_order_respond,
    supervision_urge,
)

__all__ = [
    "SweepResult",
    "card_explain",
    "card_raise",
    "card_resolve",
    "subject_find",
    "supervision_order_close",
    "supervision_order_open",
    "supervision_order_respond",
    "supervision_sweep",
    "supervision_urge",
]
