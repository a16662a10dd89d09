"""Recording a call through Janus: only with the patient's consent to recording, everyone
in the room is told, and the result, converted in the background once the recording stops,
is a file ffprobe reads (a playable WebM)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.files.uploadedfile import SimpleUploadedFile

from xietong.consultations.tests.world import World
from xietong.core.errors import Conflict
from xietong.patients.models import Consent
from xietong.patients.tests.factories import pdf_bytes
from xietong.video.conversion import media_duration_seconds
from xietong.video.models import Recording, Room
from xietong.video.recording import room_recording_start, room_recording_stop

from .calls import api_join, closed, live_consultation, peer, socket_for
from .netns import JanusInNamespace
from .peer import JanusPeer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.anyio]


def _consent_to_recording(world: World) -> None:
    Consent.objects.create(
        patient=world.patient,
        kind="recording",
        signed_on=dt.date.today(),
        signed_by=world.patient.name,
        institution=world.county,
        recorded_by_id=world.requester.user_id,
        scan=SimpleUploadedFile("recording-consent.pdf", pdf_bytes(), "application/pdf"),
        scan_sha256="0" * 64,
        scan_content_type="application/pdf",
    )


async def _publishing(world: World, subject: str) -> tuple[WebsocketCommunicator, JanusPeer]:
    response = await sync_to_async(api_join)(world.requester, subject)
    assert response.status_code == 200, response.content
    socket = socket_for(response.json())
    assert (await socket.connect())[0]
    doctor = peer(socket)
    await doctor.join()
    await doctor.publish()
    return socket, doctor


async def test_a_recorded_call_with_consent_is_kept_as_a_playable_file(
    with_janus: JanusInNamespace,
) -> None:
    world, subject = await live_consultation()
    await sync_to_async(_consent_to_recording)(world)
    socket, doctor = await _publishing(world, subject)
    room = await sync_to_async(Room.objects.get)(subject_id=subject)

    await sync_to_async(room_recording_start)(actor=world.requester, room=room)
    told = await doctor.next_message("recording")
    assert told["on"] is True
    await asyncio.sleep(4)  # some seconds of picture to record
    # The test settings run tasks at once: the conversion is done when the commit is.
    await sync_to_async(room_recording_stop)(actor=world.requester, room=room)
    await sync_to_async(room.refresh_from_db)()
    assert room.converting_since is None and room.conversion_error == ""
    recordings = await sync_to_async(lambda: list(Recording.objects.filter(room=room)))()

    assert len(recordings) == 1
    recording = recordings[0]
    path = Path(recording.file.path)
    assert path.suffix == ".webm" and path.exists()
    assert media_duration_seconds(path) > 1.0
    assert recording.duration_seconds > 1.0
    assert recording.patient_id == world.patient.pk
    assert recording.retain_until >= dt.date.today().replace(year=dt.date.today().year + 3)
    assert (await doctor.next_message("recording"))["on"] is False

    await doctor.leave()
    assert await closed(socket) == 1000


async def test_without_the_patients_consent_nothing_is_recorded(
    with_janus: JanusInNamespace,
) -> None:
    world, subject = await live_consultation()  # consent to telemedicine only
    socket, doctor = await _publishing(world, subject)
    room = await sync_to_async(Room.objects.get)(subject_id=subject)

    with pytest.raises(Conflict) as refused:
        await sync_to_async(room_recording_start)(actor=world.requester, room=room)
    assert str(refused.value.message) == "患者的录音录像知情同意书未在档。"
    stopped = await sync_to_async(room_recording_stop)(actor=world.requester, room=room)
    assert stopped.converting_since is None  # nothing was recorded, nothing to convert
    assert not await sync_to_async(Recording.objects.exists)()
    await doctor.leave()
    assert await closed(socket) == 1000
