"""Recording a room, only with the patient's consent, and turning Janus's raw recordings
into files that play in a browser.

Janus writes one .mjr file per publisher and medium into the room's folder; after the
recording stops, janus-pp-rec turns each into WebM (VP8) or Opus, and ffmpeg puts each
publisher's picture and sound into one WebM file. The file is kept with the room, the
patient named, for the audio/video retention period (XT_RETENTION_AUDIO_VIDEO_YEARS)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Conflict, NotFound
from xietong.patients.models import ConsentKind, Patient
from xietong.patients.selectors import has_active_consent
from xietong.records.models import RetentionClass, retention_years

from .access import room_access_allows, room_subject
from .janus import JanusUnavailable, janus_client, janus_room_record
from .models import Recording, Room, RoomMode
from .services import VideoUnavailable, room_recordings_dir

TOOL_TIMEOUT_S = 600


class RecordingFailed(Exception):
    """A raw recording could not be converted (a tool is missing or failed)."""


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
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(
            f"video.{room.uuid.hex}",
            {"type": "room.event", "from": "", "name": "", "kind": "recording", "on": on},
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


def room_recording_stop(*, actor: Actor, room: Room) -> list[Recording]:
    """Stops recording and converts what was recorded (done here: a short call converts
    in seconds, as the streams are copied, not re-encoded)."""
    if not room_access_allows(actor, room.subject_type, room.subject_id):
        raise NotFound()
    if room.recording_since is None:
        return []
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
    if patient is None:
        return []
    return recordings_convert(room=room, patient=patient)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RecordingFailed(f"{name} is not installed")
    return path


def _run(*args: str) -> str:
    try:
        done = subprocess.run(  # noqa: S603 - our own tool paths and file names
            list(args), capture_output=True, text=True, timeout=TOOL_TIMEOUT_S, check=True
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        raise RecordingFailed(f"{args[0]} failed: {exc}") from exc
    return done.stdout


def media_duration_seconds(path: Path) -> float:
    out = _run(
        _tool("ffprobe"), "-v", "error", "-show_entries", "format=duration",
        "-of", "default=noprint_wrappers=1:nokey=1", str(path),
    )  # fmt: skip
    try:
        return float(out.strip())
    except ValueError as exc:
        raise RecordingFailed(f"no duration in {path.name}") from exc


def _publishers(folder: Path) -> dict[str, dict[str, Path]]:
    """Raw files grouped by publisher: "<prefix>-video-0.mjr", "<prefix>-audio-1.mjr"."""
    groups: dict[str, dict[str, Path]] = {}
    for raw in sorted(folder.glob("*.mjr")):
        for medium in ("video", "audio"):
            prefix, found, _rest = raw.stem.rpartition(f"-{medium}-")
            if found:
                groups.setdefault(prefix, {}).setdefault(medium, raw)
    return groups


def _convert_one(parts: dict[str, Path], work: Path, name: str) -> Path:
    pp_rec, ffmpeg = _tool("janus-pp-rec"), _tool("ffmpeg")
    inputs: list[str] = []
    if "video" in parts:
        _run(pp_rec, str(parts["video"]), str(work / f"{name}-video.webm"))
        inputs += ["-i", str(work / f"{name}-video.webm")]
    if "audio" in parts:
        _run(pp_rec, str(parts["audio"]), str(work / f"{name}-audio.opus"))
        inputs += ["-i", str(work / f"{name}-audio.opus")]
    out = work / f"{name}.webm"
    _run(ffmpeg, "-v", "error", "-y", *inputs, "-c", "copy", str(out))
    return out


def recordings_convert(*, room: Room, patient: Patient) -> list[Recording]:
    folder = room_recordings_dir(room)
    keep_until = timezone.localdate() + dt.timedelta(
        days=365 * retention_years(RetentionClass.AUDIO_VIDEO) + 1
    )
    made: list[Recording] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, (prefix, parts) in enumerate(sorted(_publishers(folder).items()), start=1):
            out = _convert_one(parts, Path(tmp), f"{room.uuid.hex}-{n}")
            duration = media_duration_seconds(out)
            with out.open("rb") as handle, transaction.atomic():
                recording = Recording(
                    room=room,
                    patient=patient,
                    participant=prefix.rpartition("-user-")[2][:100],
                    duration_seconds=duration,
                    retain_until=keep_until,
                )
                recording.file.save(out.name, File(handle), save=False)
                recording.save()
                audit_record(
                    actor=None,
                    action="video.recording_store",
                    resource_type="VideoRecording",
                    resource_id=recording.uuid,
                    patient_id=patient.pk,
                )
            made.append(recording)
            for raw in parts.values():
                raw.unlink(missing_ok=True)  # converted and kept: the raw copy goes
    return made
