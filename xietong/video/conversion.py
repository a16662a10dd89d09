"""Turning Janus's raw recordings into files that play in a browser, in a background task
(video/tasks.py): a call of an hour takes longer than a request may.

Janus writes one .mjr file per publisher and medium into the room's folder; janus-pp-rec
turns each into WebM (VP8) or Opus, and ffmpeg puts each publisher's picture and sound into
one WebM file. The file is kept with the room, the patient named, for the audio/video
retention period (XT_RETENTION_AUDIO_VIDEO_YEARS). Each publisher's raw files are removed
once its file is stored, so running the conversion again converts only what is left."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from xietong.core.audit import audit_record
from xietong.patients.models import Patient
from xietong.records.models import RetentionClass, retention_years

from .access import room_subject
from .models import Recording, Room
from .services import room_recordings_dir

TOOL_TIMEOUT_S = 600


class RecordingFailed(Exception):
    """A raw recording could not be converted (a tool is missing or failed)."""


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
    except subprocess.TimeoutExpired as exc:
        raise RecordingFailed(f"{Path(args[0]).name} took over {TOOL_TIMEOUT_S} s") from exc
    except subprocess.CalledProcessError as exc:
        # The tool's own last words say why; the server's paths stay out of the page.
        said = [line.strip() for line in (exc.stderr or "").splitlines() if line.strip()]
        why = said[-1].replace(str(Path(args[-1]).parent), "…")[:300] if said else ""
        raise RecordingFailed(
            f"{Path(args[0]).name} failed (exit status {exc.returncode})"
            + (f": {why}" if why else "")
        ) from exc
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


def _patient_of(room: Room) -> Patient | None:
    subject = room_subject(room.subject_type)
    if subject is None or subject.patient is None:
        return None
    patient = subject.patient(room.subject_id)
    return patient if isinstance(patient, Patient) else None


def room_recording_convert(*, room_id: int) -> str:
    """The background conversion of a room whose recording stopped. The room says how it
    went: no longer converting, and the reason when it failed. Safe to run twice: what was
    stored has no raw files left."""
    room = Room.objects.filter(pk=room_id, converting_since__isnull=False).first()
    if room is None:
        return "gone"  # done already, or never queued
    patient = _patient_of(room)
    error = ""
    try:
        if patient is not None:
            recordings_convert(room=room, patient=patient)
    except RecordingFailed as exc:
        error = str(exc)[:1000]
    Room.objects.filter(pk=room.pk).update(
        converting_since=None, conversion_error=error, updated_at=timezone.now()
    )
    return "failed" if error else "done"
