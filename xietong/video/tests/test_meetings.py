"""Ad-hoc meetings: the organiser and the invited colleagues share a room."""

from __future__ import annotations

import pytest

from xietong.accounts.models import User
from xietong.consultations.tests.world import World, member
from xietong.core.errors import NotFound, ValidationFailed
from xietong.video.meetings import meeting_create, meeting_end
from xietong.video.models import Room
from xietong.video.services import room_join

pytestmark = pytest.mark.django_db


def _uuid(actor_user_id: int):
    return User.objects.get(pk=actor_user_id).uuid


def test_invited_colleagues_join_and_others_do_not(world: World) -> None:
    meeting = meeting_create(
        actor=world.requester, title="疑难病例讨论", invitees=[_uuid(world.expert_actor.user_id)]
    )
    mine = room_join(actor=world.requester, subject_type="meeting", subject_id=str(meeting.uuid))
    theirs = room_join(
        actor=world.expert_actor, subject_type="meeting", subject_id=str(meeting.uuid)
    )
    assert mine.room.pk == theirs.room.pk and mine.room.title == "疑难病例讨论"
    with pytest.raises(NotFound):
        room_join(actor=world.qc, subject_type="meeting", subject_id=str(meeting.uuid))
    meeting_end(actor=world.requester, meeting=meeting)
    assert Room.objects.get(pk=mine.room.pk).closed_at is not None
    with pytest.raises(NotFound):
        room_join(actor=world.expert_actor, subject_type="meeting", subject_id=str(meeting.uuid))


def test_a_meeting_needs_a_title_and_colleagues_who_exist(world: World) -> None:
    stranger = member(world.county, "requester")
    User.objects.filter(pk=stranger.user_id).update(is_active=False)
    with pytest.raises(ValidationFailed) as caught:
        meeting_create(actor=world.requester, title="  ", invitees=[_uuid(stranger.user_id)])
    assert set(caught.value.fields) == {"title", "invitees"}
    with pytest.raises(ValidationFailed) as caught:
        meeting_create(actor=world.requester, title="查房", invitees=[])
    assert set(caught.value.fields) == {"invitees"}
