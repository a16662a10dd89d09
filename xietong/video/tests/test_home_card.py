"""The home card of open meetings: each one the person organised or was invited to, a link
into its room; ended meetings and other people's are not there."""

from __future__ import annotations

import pytest
from django.test import Client

from xietong.accounts.models import User
from xietong.consultations.tests.world import World
from xietong.video.meetings import meeting_create, meeting_end

pytestmark = pytest.mark.django_db


def _home(user_id: int) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(pk=user_id))
    return client.get("/").content.decode()


def test_the_invited_see_open_meetings_on_their_home(world: World) -> None:
    expert = User.objects.get(pk=world.expert_actor.user_id)
    teaching = meeting_create(actor=world.requester, title="远程教学查房", invitees=[expert.uuid])
    ended = meeting_create(actor=world.requester, title="上周病例讨论", invitees=[expert.uuid])
    meeting_end(actor=world.requester, meeting=ended)
    for user_id in (world.requester.user_id, world.expert_actor.user_id):
        home = _home(user_id)
        assert "进行中的视频会议" in home
        assert f'href="/video/rooms/meeting/{teaching.uuid}/">远程教学查房</a>' in home
        assert "上周病例讨论" not in home
    assert "进行中的视频会议" not in _home(world.qc.user_id)
