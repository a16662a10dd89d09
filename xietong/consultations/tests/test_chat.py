"""The consultation's chat thread is open to whoever sees the consultation."""

from __future__ import annotations

import pytest

from xietong.chat.selectors import get_thread_for
from xietong.consultations.chat import consultation_thread
from xietong.consultations.services import consultation_expert_decline
from xietong.core.errors import NotFound

from .world import World, member

pytestmark = pytest.mark.django_db


def test_the_parties_open_the_thread_and_strangers_do_not(world: World) -> None:
    c = world.to("assigned")
    thread = consultation_thread(consultation=c)
    assert consultation_thread(consultation=c) == thread  # one thread per consultation
    for actor in (world.requester, world.coordinator, world.expert_actor):
        assert get_thread_for(actor=actor, thread_uuid=thread.uuid) == thread
    with pytest.raises(NotFound):
        get_thread_for(actor=member(world.hospital, "requester"), thread_uuid=thread.uuid)
    consultation_expert_decline(actor=world.expert_actor, consultation=c, reason="出差")
    with pytest.raises(NotFound):
        get_thread_for(actor=world.expert_actor, thread_uuid=thread.uuid)
