"""Every change of the selfservice app."""

from .kiosks import kiosk_apply, kiosk_code_send, kiosk_code_verify
from .lockers import (
    deposit_code_resend,
    deposit_pickup,
    deposit_place,
    deposit_remove,
    deposits_flag_uncollected,
)

__all__ = [
    "deposit_code_resend",
    "deposit_pickup",
    "deposit_place",
    "deposit_remove",
    "deposits_flag_uncollected",
    "kiosk_apply",
    "kiosk_code_send",
    "kiosk_code_verify",
]
