"""Recording a room, only with the patient's consent. When the recording stops, its raw
files are converted in the background (video/conversion.py, video/tasks.py); the room shows
"converting" until that is done, and a failure with its reason and a way to retry."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Conflict, NotFound
from xietong.core.push import channel_push
from xietong.patients.models import ConsentKind, Patient
from xietong.patients.selectors import has_active_consent

from .access import room_access_allows, room_subject
from .janus import JanusUnavailable, janus_client, janus_room_record
from .models import Room, RoomMode
from .services import VideoUnavailable


def _patient_of(room: Room) -> Patient | None:
    subject = room_subject(room.subject_type)
    if subject is None or subject.patient is None:
        return None
    patient = subject.patient(room.subject_id)
    return patient if isinstance(patient, Patient) else None


def recording_allowed(room: Room) -> bool:
    patient = _patient_of(room)
    return (
        room.mode == RoomMode.JANUS
        and patient is not None
        and has_active_consent(patient, ConsentKind.RECORDING)
    )


def _announce(room: Room, on: bool) -> None:
    channel_push(
        [
            (
                f"video.{room.uuid.hex}",
                {"type": "room.event", "from": "", "name": "", "kind": "recording", "on": on},
            )
        ]
    )


def _record(room: Room, record: bool) -> None:
    client = janus_client()
    if client is None or room.janus_room is None:
        raise Conflict(_("Only calls through the media server can be recorded."))
    try:
        janus_room_record(client, room=room.janus_room, secret=room.secret, record=record)
    except JanusUnavailable as exc:
        raise VideoUnavailable(
            _("The video server is not available right now; the chat still works.")
        ) from exc


def room_recording_start(*, actor: Actor, room: Room) -> Room:
    if not room_access_allows(actor, room.subject_type, room.subject_id):
        raise NotFound()
    patient = _patient_of(room)
    if patient is None or not has_active_consent(patient, ConsentKind.RECORDING):
        raise Conflict(_("The patient's consent to recording is not on file."))
    if room.recording_since is not None:
        return room
    _record(room, True)
    with transaction.atomic():
        room.recording_since = timezone.now()
        room.save(update_fields=["recording_since", "updated_at"])
        audit_record(
            actor=actor,
            action="video.recording_start",
            resource_type="VideoRoom",
            resource_id=room.uuid,
            patient_id=patient.pk,
        )
        transaction.on_commit(lambda: _announce(room, True))
    return room


def room_recording_stop(*, actor: Actor, room: Room) -> Room:
    """Stops recording and queues the conversion of what was recorded."""
    if not room_access_allows(actor, room.subject_type, room.subject_id):
        raise NotFound()
    if room.recording_since is None:
        return room
    _record(room, False)
    patient = _patient_of(room)
    with transaction.atomic():
        room.recording_since = None
        room.save(update_fields=["recording_since", "updated_at"])
        audit_record(
            actor=actor,
            action="video.recording_stop",
            resource_type="VideoRoom",
            resource_id=room.uuid,
            patient_id=patient.pk if patient else None,
        )
        transaction.on_commit(lambda: _announce(room, False))
        if patient is not None:
            _conversion_queue(room)
    return room


def room_recording_convert_retry(*, actor: Actor, room: Room) -> Room:
    """Converts again what a failed conversion left (the cause fixed meanwhile: a tool
    installed, the disk freed)."""
    if not room_access_allows(actor, room.subject_type, room.subject_id):
        raise NotFound()
    with transaction.atomic():
        room = Room.objects.select_for_update().get(pk=room.pk)
        if not room.conversion_error:
            raise Conflict(_("No conversion of this room's recording has failed."))
        _conversion_queue(room)
    return room


def _conversion_queue(room: Room) -> None:
    """Marks the room converting and queues the task when the transaction commits."""
    from .tasks import recording_convert_task  # the task module imports the services

    room.converting_since, room.conversion_error = timezone.now(), ""
    room.save(update_fields=["converting_since", "conversion_error", "updated_at"])
    transaction.on_commit(lambda: recording_convert_task.enqueue(room.pk))
