"""After a recording stops, its raw files are converted in the background: the room page says
"converting" until the task is done, and a failure says why and can be retried."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from xietong.accounts.models import User
from xietong.consultations.tests.world import World
from xietong.core.actor import Actor
from xietong.video.models import Recording, Room
from xietong.video.services import room_join, room_recordings_dir
from xietong.video.tasks import recording_convert_task

pytestmark = pytest.mark.django_db


def _page(actor: Actor, room: Room) -> str:
    client = Client()
    client.force_login(User.objects.get(pk=actor.user_id))
    return client.get(f"/video/rooms/consultation/{room.subject_id}/").content.decode()


def _retry(actor: Actor, room: Room) -> Any:
    client = Client()
    client.force_login(User.objects.get(pk=actor.user_id))
    return client.post(
        f"/video/rooms/consultation/{room.subject_id}/recording/", {"action": "retry"}
    )


def test_a_conversion_shows_as_converting_then_fails_with_its_reason_and_is_retried(
    world: World, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    consultation = world.to("in_progress", mode="realtime")
    with override_settings(XT_JANUS_RECORDINGS_DIR=str(tmp_path)):
        room_join(actor=world.expert_actor, subject_type="consultation",
                  subject_id=str(consultation.uuid))  # fmt: skip
        room = Room.objects.get(subject_id=str(consultation.uuid))
        # Janus (not running here) stopped recording and left a raw file that is not one.
        raw = room_recordings_dir(room) / "rec-user-7-video-0.mjr"
        raw.write_bytes(b"not a Janus recording")
        Room.objects.filter(pk=room.pk).update(converting_since=timezone.now())

        assert "正在转换录像" in _page(world.expert_actor, room)

        assert recording_convert_task.enqueue(room.pk).return_value == "failed"
        room.refresh_from_db()
        assert room.converting_since is None
        assert room.conversion_error.startswith("janus-pp-rec failed (exit status 1)")
        assert str(tmp_path) not in room.conversion_error
        page = _page(world.expert_actor, room)
        assert "录像转换失败：janus-pp-rec failed" in page and "重新转换" in page
        assert "正在转换录像" not in page
        assert not Recording.objects.exists()

        # The cause removed, the conversion is run again from the page and succeeds.
        raw.unlink()
        with django_capture_on_commit_callbacks(execute=True):
            assert _retry(world.expert_actor, room).status_code == 302
        room.refresh_from_db()
        assert room.converting_since is None and room.conversion_error == ""
        page = _page(world.expert_actor, room)
        assert "录像转换失败" not in page and "正在转换录像" not in page

        # Nothing failed any more: a second retry is refused and says so.
        client = Client()
        client.force_login(User.objects.get(pk=world.expert_actor.user_id))
        page_url = f"/video/rooms/consultation/{room.subject_id}/"
        response = client.post(f"{page_url}recording/", {"action": "retry"}, follow=True)
        assert "本会议室没有转换失败的录像" in response.content.decode()
