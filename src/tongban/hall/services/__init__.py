"""Writes of the hall app (every change goes through one of these) and the two reads other
apps code against: ``number_take`` and ``waiting_summary``."""

from .bookings import (
    booking_cancel,
    booking_create,
    booking_reschedule,
    bookings_mark_no_show,
    bookings_remind,
    get_booking_for_person,
    no_show_count,
)
from .calling import (
    current_number,
    number_call,
    number_call_next,
    number_finish,
    number_recall,
    number_skip,
    number_start,
    number_transfer,
    window_sign_in,
    window_sign_out,
)
from .hours import day_kind, is_open, next_free_slots, next_opening, periods_of, slots_of_day
from .numbers import number_take, position_of, serving_durations, waiting_in_order, waiting_summary

__all__ = [
    "booking_cancel",
    "booking_create",
    "booking_reschedule",
    "bookings_mark_no_show",
    "bookings_remind",
    "current_number",
    "day_kind",
    "get_booking_for_person",
    "is_open",
    "next_free_slots",
    "next_opening",
    "no_show_count",
    "number_call",
    "number_call_next",
    "number_finish",
    "number_recall",
    "number_skip",
    "number_start",
    "number_take",
    "number_transfer",
    "periods_of",
    "position_of",
    "serving_durations",
    "slots_of_day",
    "waiting_in_order",
    "waiting_summary",
    "window_sign_in",
    "window_sign_out",
]
