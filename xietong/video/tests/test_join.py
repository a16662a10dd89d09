"""Joining a consultation's room: who is admitted, and what a join credential allows."""

from __future__ import annotations

from typing import cast

import pytest
from django.test import override_settings

from xietong.consultations import services as cs
from xietong.consultations.tests.world import World, member
from xietong.core.errors import NotFound, NotPermitted
from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory
from xietong.video.credentials import join_credential_check
from xietong.video.models import Room, RoomMode
from xietong.video.services import VideoUnavailable, room_join

pytestmark = pytest.mark.django_db


def _live(world: World):
    return world.to("in_progress", mode="realtime")


def test_everyone_the_consultation_admits_gets_a_credential_for_the_same_room(
    world: World,
) -> None:
    consultation = _live(world)
    tickets = [
        room_join(actor=a, subject_type="consultation", subject_id=str(consultation.uuid))
        for a in (world.requester, world.expert_actor, world.coordinator)
    ]
    assert len({t.room.pk for t in tickets}) == 1
    room = tickets[0].room
    assert room.mode == RoomMode.EMBEDDED
    assert room.title == consultation.number
    for ticket, actor in zip(
        tickets, (world.requester, world.expert_actor, world.coordinator), strict=True
    ):
        assert join_credential_check(credential=ticket.credential, room=room).user_id == (
            actor.user_id
        )


def test_an_outsider_or_an_asynchronous_consultation_has_no_room(world: World) -> None:
    consultation = _live(world)
    outsider = member(cast(Institution, InstitutionFactory(level="county")), "requester")
    with pytest.raises(NotFound):
        room_join(actor=outsider, subject_type="consultation", subject_id=str(consultation.uuid))
    written = world.to("in_progress")  # mode stays asynchronous
    with pytest.raises(NotFound):
        room_join(actor=world.requester, subject_type="consultation", subject_id=str(written.uuid))
    with pytest.raises(NotFound):
        room_join(actor=world.requester, subject_type="nobody-registered", subject_id="1")
    assert not Room.objects.filter(subject_id=str(written.uuid)).exists()


def test_a_credential_is_refused_for_another_room_when_expired_or_tampered(
    world: World,
) -> None:
    first = _live(world)
    second = _live(world)
    ticket = room_join(
        actor=world.requester, subject_type="consultation", subject_id=str(first.uuid)
    )
    other = room_join(
        actor=world.requester, subject_type="consultation", subject_id=str(second.uuid)
    )
    with pytest.raises(NotPermitted, match="另一个会议室"):
        join_credential_check(credential=ticket.credential, room=other.room)
    with pytest.raises(NotPermitted, match="凭证无效"):
        join_credential_check(credential=ticket.credential[:-2] + "xx", room=ticket.room)
    with (
        override_settings(XT_VIDEO_JOIN_TTL_SECONDS=-1),
        pytest.raises(NotPermitted, match="已过期"),
    ):
        join_credential_check(credential=ticket.credential, room=ticket.room)


def test_a_credential_stops_working_once_the_consultation_no_longer_admits(
    world: World,
) -> None:
    consultation = world.to("scheduled")
    ticket = room_join(
        actor=world.requester, subject_type="consultation", subject_id=str(consultation.uuid)
    )
    cs.consultation_cancel(actor=world.requester, consultation=consultation, reason="患者转院")
    with pytest.raises(NotPermitted, match="无权进入"):
        join_credential_check(credential=ticket.credential, room=ticket.room)


def test_when_the_video_server_is_down_joining_says_so_and_opens_nothing(world: World) -> None:
    consultation = _live(world)
    with (
        override_settings(XT_JANUS_URL="http://127.0.0.1:9/janus", XT_JANUS_ADMIN_KEY="k"),
        pytest.raises(VideoUnavailable) as caught,
    ):
        room_join(
            actor=world.requester, subject_type="consultation", subject_id=str(consultation.uuid)
        )
    assert str(caught.value.message) == "视频服务器暂时不可用；文字交流仍可使用。"
    assert not Room.objects.exists()
