"""Video settings, typed. Their defaults and the environment variables that set them
(XT_JANUS_*, XT_TURN_*, XT_VIDEO_*) are in config/settings/base.py."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def janus_url() -> str:
    """The Janus HTTP API, e.g. http://127.0.0.1:8088/janus. Empty: embedded mode."""
    return str(settings.XT_JANUS_URL).rstrip("/")


def janus_admin_key() -> str:
    """The VideoRoom admin_key: needed to create rooms. Never leaves the server."""
    return str(settings.XT_JANUS_ADMIN_KEY)


def janus_room_bitrate() -> int:
    """Per-publisher bitrate cap in bit/s, low enough for a county hospital's line."""
    return int(settings.XT_JANUS_ROOM_BITRATE)


def janus_publishers_max() -> int:
    return int(settings.XT_JANUS_PUBLISHERS)


def recordings_dir() -> Path:
    return Path(settings.XT_JANUS_RECORDINGS_DIR)


def turn_urls() -> list[str]:
    raw = settings.XT_TURN_URLS
    if isinstance(raw, list | tuple):
        return [str(u) for u in raw if u]
    return [u.strip() for u in str(raw).split(",") if u.strip()]


def turn_secret() -> str:
    """coturn's static-auth-secret (use-auth-secret): TURN passwords are HMACs of it."""
    return str(settings.XT_TURN_SECRET)


def turn_ttl_seconds() -> int:
    return int(settings.XT_TURN_TTL_SECONDS)


def join_ttl_seconds() -> int:
    """How long a join credential may wait before it is used to connect."""
    return int(settings.XT_VIDEO_JOIN_TTL_SECONDS)


def open_before_minutes() -> int:
    """The join control appears this long before the booked time."""
    return int(settings.XT_VIDEO_OPEN_BEFORE_MINUTES)
