"""Models of the selfservice app."""

from .kiosks import Kiosk, KioskCode
from .lockers import (
    OCCUPYING,
    Compartment,
    CompartmentSize,
    Deposit,
    DepositEvent,
    DepositStatus,
    LockerBank,
)

__all__ = [
    "OCCUPYING",
    "Compartment",
    "CompartmentSize",
    "Deposit",
    "DepositEvent",
    "DepositStatus",
    "Kiosk",
    "KioskCode",
    "LockerBank",
]
