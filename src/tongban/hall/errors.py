"""Error codes of the hall app (stable slugs clients and tests match on)."""

from __future__ import annotations

from enum import StrEnum

from tongban.core.errors import DomainError


class HallErrorCode(StrEnum):
    HALL_CLOSED = "hall_closed"
    SLOT_FULL = "slot_full"
    SLOT_INVALID = "slot_invalid"
    TOO_FAR_AHEAD = "too_far_ahead"
    IN_THE_PAST = "in_the_past"
    DUPLICATE_BOOKING = "duplicate_booking"
    BOOKING_NOT_FOUND = "booking_not_found"
    BOOKING_NOT_ACTIVE = "booking_not_active"
    BOOKING_OTHER_DAY = "booking_other_day"
    BOOKING_OTHER_HALL = "booking_other_hall"
    NOT_YOUR_BOOKING = "not_your_booking"
    UNKNOWN_GROUP = "unknown_group"
    UNKNOWN_ITEM = "unknown_item"
    PERSON_UNKNOWN = "person_unknown"
    CHANNEL_INVALID = "channel_invalid"
    WINDOW_NOT_SIGNED_IN = "window_not_signed_in"
    WINDOW_BUSY = "window_busy"
    WINDOW_NOT_SERVING_GROUP = "window_not_serving_group"
    NOTHING_WAITING = "nothing_waiting"
    NO_CURRENT_NUMBER = "no_current_number"
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    STALE = "stale"
    INVALID_INPUT = "invalid_input"


class HallRefused(DomainError):
    """A rule of the hall refused the request; nothing was changed."""

    status_code = 409


class HallClosed(HallRefused):
    """The hall is closed then; ``next_slots`` / ``opens_at`` say when it is open."""

    def __init__(self, message, *, next_slots=None, **params):
        self.next_slots = next_slots or []
        super().__init__(HallErrorCode.HALL_CLOSED, message, **params)


class SlotUnavailable(HallRefused):
    """The slot is full or not offered; ``next_slots`` lists the next free ones."""

    def __init__(self, code, message, *, next_slots=None, **params):
        self.next_slots = next_slots or []
        super().__init__(code, message, **params)

    def as_dict(self):
        data = super().as_dict()
        data["next_slots"] = [
            {"date": s.date.isoformat(), "start": f"{s.start:%H:%M}", "end": f"{s.end:%H:%M}"}
            for s in self.next_slots
        ]
        return data
