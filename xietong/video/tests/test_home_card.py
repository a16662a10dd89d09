"""The home card of open meetings: each one the person organised or was invited to, a link
into its room; ended meetings and other people's are not there."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from xietong.accounts.models import User
from xietong.consultations.tests.world import World
from xietong.core.tests.statements import statements_counted
from xietong.video.cards import meeting_cards
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


def test_the_card_costs_the_same_however_many_meetings_are_open(world: World) -> None:
    expert = User.objects.get(pk=world.expert_actor.user_id)
    request = RequestFactory().get("/")

    def cost() -> int:
        with statements_counted() as sent:
            meeting_cards(request, world.expert_actor)
        return len(sent)

    meeting_create(actor=world.requester, title="病例讨论一", invitees=[expert.uuid])
    one = cost()
    for n in range(6):
        meeting_create(actor=world.requester, title=f"病例讨论{n + 2}", invitees=[expert.uuid])
    many = cost()
    assert one == 1  # the first few, in one query
    assert many == 2  # and, past three, how many in all
    assert meeting_cards(request, world.expert_actor)[0].count == 7
