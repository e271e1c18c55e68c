"""The locker controller interface (取件柜控制器) and the simulated driver of the demo and tests.

A real cabinet's driver implements ``LockerController`` and is named by the setting
``TONGBAN_LOCKER_DRIVER`` (a dotted path to a class built without arguments). ``open`` must
raise ``LockerFault`` when the door did not open: the pickup is then undone and the code stays
valid.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class LockerFault(Exception):
    """The controller could not open the door."""


class LockerController(Protocol):
    def open(self, *, bank: str, compartment: int) -> None:
        """Unlock one compartment's door; raise ``LockerFault`` when it did not open."""


@dataclass(frozen=True)
class Opening:
    bank: str
    compartment: int
    at: dt.datetime


class SimulatedLocker:
    """Records each opening in memory (shared by every instance of the process); ``fail_next``
    makes the next opening fail, as a jammed door would."""

    openings: list[Opening] = []
    fail_next: bool = False
    _lock = threading.Lock()

    def open(self, *, bank: str, compartment: int) -> None:
        with self._lock:
            if SimulatedLocker.fail_next:
                SimulatedLocker.fail_next = False
                raise LockerFault(f"{bank}-{compartment:02d}")
            SimulatedLocker.openings.append(Opening(bank, compartment, timezone.now()))

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls.openings.clear()
            cls.fail_next = False


def controller() -> LockerController:
    return import_string(settings.TONGBAN_LOCKER_DRIVER)()
