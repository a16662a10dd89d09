"""Writes to schedules, their slots and bookings (schedules.py, slots.py, bookings.py)."""

from .bookings import (
    SlotTaken,
    booking_cancel,
    booking_check_in,
    booking_create,
    booking_fulfil,
    booking_mark_no_show,
)
from .moves import BookingKnown, booking_move, booking_reschedule
from .schedules import schedule_create, schedule_exception_add, schedule_rules_set
from .slots import GenerateResult, slots_generate

__all__ = [
    "BookingKnown",
    "GenerateResult",
    "SlotTaken",
    "booking_cancel",
    "booking_check_in",
    "booking_create",
    "booking_fulfil",
    "booking_mark_no_show",
    "booking_move",
    "booking_reschedule",
    "schedule_create",
    "schedule_exception_add",
    "schedule_rules_set",
    "slots_generate",
]
