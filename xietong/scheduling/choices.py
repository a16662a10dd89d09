"""The scheduling app's vocabulary: the values of its fields, for other apps to name (their
views and services import no other app's models; docs/architecture.md)."""

from .models import (
    BookingStatus,
    ExaminationType,
    ExceptionKind,
    Purpose,
    SlotStatus,
    Weekday,
)

__all__ = [
    "BookingStatus",
    "ExaminationType",
    "ExceptionKind",
    "Purpose",
    "SlotStatus",
    "Weekday",
]
