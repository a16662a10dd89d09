"""Video settings. Each is read from Django settings when set there, else from the
environment (XT_JANUS_*, XT_TURN_*, XT_VIDEO_*), so deployments configure video without
touching the shared settings module."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings


def _get(name: str, default: Any) -> Any:
    if hasattr(settings, name):
        return getattr(settings, name)
    return os.environ.get(name, default)


def janus_url() -> str:
    """The Janus HTTP API, e.g. http://127.0.0.1:8088/janus. Empty: embedded mode."""
    return str(_get("XT_JANUS_URL", "")).rstrip("/")


def janus_admin_key() -> str:
    """The VideoRoom admin_key: needed to create rooms. Never leaves the server."""
    return str(_get("XT_JANUS_ADMIN_KEY", ""))


def janus_room_bitrate() -> int:
    """Per-publisher bitrate cap in bit/s, low enough for a county hospital's line."""
    return int(_get("XT_JANUS_ROOM_BITRATE", 512_000))


def janus_publishers_max() -> int:
    return int(_get("XT_JANUS_PUBLISHERS", 12))


def recordings_dir() -> Path:
    return Path(_get("XT_JANUS_RECORDINGS_DIR", Path(settings.VAR_DIR) / "janus" / "recordings"))


def turn_urls() -> list[str]:
    raw = _get("XT_TURN_URLS", "")
    if isinstance(raw, list | tuple):
        return [str(u) for u in raw if u]
    return [u.strip() for u in str(raw).split(",") if u.strip()]


def turn_secret() -> str:
    """coturn's static-auth-secret (use-auth-secret): TURN passwords are HMACs of it."""
    return str(_get("XT_TURN_SECRET", ""))


def turn_ttl_seconds() -> int:
    return int(_get("XT_TURN_TTL_SECONDS", 6 * 3600))


def join_ttl_seconds() -> int:
    """How long a join credential may wait before it is used to connect."""
    return int(_get("XT_VIDEO_JOIN_TTL_SECONDS", 120))


def open_before_minutes() -> int:
    """The join control appears this long before the booked time."""
    return int(_get("XT_VIDEO_OPEN_BEFORE_MINUTES", 15))
