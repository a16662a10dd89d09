"""Telling a person's open video sockets that their access changed, through the channel
layer: each asks the room's policy again and leaves the call if refused."""

from __future__ import annotations

from typing import Any

from xietong.core.push import channel_push


def video_user_group(user_id: int) -> str:
    return f"xt.video.user.{user_id}"


def on_patient_access_revoked(name: str, payload: dict[str, Any]) -> None:
    """Event handler (patients' grants): the people who lost a patient check their rooms."""
    channel_push(
        (video_user_group(user_id), {"type": "video.access_changed"})
        for user_id in sorted({int(u) for u in payload.get("user_ids") or []})
    )
