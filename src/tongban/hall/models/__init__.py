"""Models of the hall app."""

from .bookings import ACTIVE_BOOKING, HOLDS_PLACE, Booking, BookingStatus, SlotCounter
from .halls import ClerkPhoto, Hall, OpeningHours, Window, WindowGroup, WindowKind
from .queue import OPEN_NUMBER, Channel, HallEvent, NumberCounter, NumberStatus, QueueNumber

__all__ = [
    "ACTIVE_BOOKING",
    "HOLDS_PLACE",
    "OPEN_NUMBER",
    "Booking",
    "BookingStatus",
    "Channel",
    "ClerkPhoto",
    "Hall",
    "HallEvent",
    "NumberCounter",
    "NumberStatus",
    "OpeningHours",
    "QueueNumber",
    "SlotCounter",
    "Window",
    "WindowGroup",
    "WindowKind",
]
