"""Opening, joining and closing rooms, and the quality facts of each call.

A room is opened on the first join of an admitted person. With Janus configured the room
is created there first (with its own secret and PIN); a database failure afterwards
destroys it again, so no Janus room outlives a failed open."""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Conflict, NotFound, ValidationFailed

from . import conf
from .access import room_access_allows, room_subject
from .credentials import IceServer, ice_servers_for, join_credential_issue
from .janus import JanusUnavailable, janus_client, janus_room_create, janus_room_destroy
from .models import CallSession, Room, RoomMode

QUALITY_FIRST_FRAME_MAX_MS = 10 * 60 * 1000


class VideoUnavailable(Conflict):
    code = "video_unavailable"


@dataclass(frozen=True)
class JoinTicket:
    room: Room
    credential: str
    expires_at: dt.datetime
    ice_servers: list[IceServer]


def _title_of(subject_type: str, subject_id: str) -> str:
    subject = room_subject(subject_type)
    if subject is not None and subject.title is not None:
        return subject.title(subject_id)[:200]
    return ""


def _open_room(actor: Actor, subject_type: str, subject_id: str) -> Room:
    existing = Room.objects.filter(
        subject_type=subject_type, subject_id=subject_id, closed_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    title = _title_of(subject_type, subject_id)
    client = janus_client()
    room = Room(
        subject_type=subject_type,
        subject_id=subject_id,
        title=title,
        mode=RoomMode.JANUS if client else RoomMode.EMBEDDED,
        opened_by_id=actor.user_id,
    )
    if client is not None:
        room.janus_room = secrets.randbelow(2**52) + 1
        room.pin = f"{secrets.randbelow(10**8):08d}"
        room.secret = secrets.token_urlsafe(24)
        try:
            janus_room_create(
                client,
                room=room.janus_room,
                description=title,
                pin=room.pin,
                secret=room.secret,
                rec_dir=str(room_recordings_dir(room)),
            )
        except JanusUnavailable as exc:
            raise VideoUnavailable(
                _("The video server is not available right now; the chat still works.")
            ) from exc
    try:
        with transaction.atomic():
            room.save()
            audit_record(
                actor=actor,
                action="video.room_open",
                resource_type="VideoRoom",
                resource_id=room.uuid,
                detail={"subject": f"{subject_type}:{subject_id}", "mode": room.mode},
            )
    except IntegrityError:
        # Someone else opened it at the same moment: use theirs, free ours.
        _janus_destroy(room)
        return Room.objects.get(
            subject_type=subject_type, subject_id=subject_id, closed_at__isnull=True
        )
    except Exception:
        _janus_destroy(room)
        raise
    return room


def room_recordings_dir(room: Room) -> Path:
    """Where Janus writes this room's raw recordings (one folder per room)."""
    folder = conf.recordings_dir() / room.uuid.hex
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _janus_destroy(room: Room) -> None:
    client = janus_client()
    if client is None or room.janus_room is None:
        return
    # Janus restarted or is down: its non-permanent rooms are gone with it.
    with contextlib.suppress(JanusUnavailable):
        janus_room_destroy(client, room=room.janus_room, secret=room.secret)


def room_join(*, actor: Actor, subject_type: str, subject_id: str, binding: str = "") -> JoinTicket:
    """A join credential for the subject's room (opened if needed), bound to whoever asked
    (credentials.join_binding). NotFound for someone the subject's owner does not admit,
    as if there were no such room."""
    subject_id = str(subject_id)
    if not room_access_allows(actor, subject_type, subject_id):
        raise NotFound()
    room = _open_room(actor, subject_type, subject_id)
    return JoinTicket(
        room=room,
        credential=join_credential_issue(room=room, actor=actor, binding=binding),
        expires_at=timezone.now() + dt.timedelta(seconds=conf.join_ttl_seconds()),
        ice_servers=ice_servers_for(user_id=actor.user_id),
    )


def room_close(*, actor: Actor, subject_type: str, subject_id: str) -> Room | None:
    """Closes the subject's open room (the Janus room is destroyed); None when none is
    open. The subject's owner decides when, e.g. when a meeting ends."""
    subject_id = str(subject_id)
    with transaction.atomic():
        room = (
            Room.objects.select_for_update()
            .filter(subject_type=subject_type, subject_id=subject_id, closed_at__isnull=True)
            .first()
        )
        if room is None:
            return None
        room.closed_at = timezone.now()
        room.save(update_fields=["closed_at", "updated_at"])
        audit_record(
            actor=actor, action="video.room_close", resource_type="VideoRoom", resource_id=room.uuid
        )
    _janus_destroy(room)
    return room


def call_begin(*, actor: Actor, room: Room) -> CallSession:
    return CallSession.objects.create(room=room, user_id=actor.user_id, joined_at=timezone.now())


def call_report(
    *, call: CallSession, first_frame_ms: object = None, failure: bool = False
) -> CallSession:
    """Quality facts a participant's page reports: the first picture's delay once, and
    failed attempts (ICE failed, camera refused) as they happen."""
    fields: list[str] = []
    if first_frame_ms is not None and call.first_frame_ms is None:
        try:
            value = int(str(first_frame_ms))
        except ValueError as exc:
            raise ValidationFailed.single("first_frame_ms", _("Not a number.")) from exc
        if not 0 <= value <= QUALITY_FIRST_FRAME_MAX_MS:
            raise ValidationFailed.single("first_frame_ms", _("Out of range."))
        call.first_frame_ms = value
        fields.append("first_frame_ms")
    if failure:
        call.failures += 1
        fields.append("failures")
    if fields:
        call.save(update_fields=[*fields, "updated_at"])
    return call


def call_end(*, call: CallSession, dropped: bool) -> None:
    call.left_at = timezone.now()
    call.drops += 1 if dropped else 0
    call.save(update_fields=["left_at", "drops", "updated_at"])
