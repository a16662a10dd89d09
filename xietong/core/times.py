"""A moment as people read it in a sentence: in the platform's time zone (Asia/Shanghai by
default), to the minute. Templates format through Django's localisation; messages, SMS and
the like, built in Python, go through here, never `str()` of a datetime (which reads
"2026-12-03 07:00:00+00:00" for a 15:00 appointment)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def local_time(value: dt.datetime) -> str:
    """'2026-12-03 15:00' for 07:00 UTC in Shanghai."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
