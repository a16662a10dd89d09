from __future__ import annotations

import pytest

from xietong.accounts.tests.factories import make_actor
from xietong.chat.selectors import get_thread_for
from xietong.chat.services import thread_for_subject
from xietong.chat.tests.helpers import SUBJECT, Admitted
from xietong.core.errors import NotFound

pytestmark = pytest.mark.django_db


def test_thread_for_subject_gives_one_thread_per_subject() -> None:
    first = thread_for_subject(SUBJECT, "case-1", "病例讨论")
    again = thread_for_subject(SUBJECT, "case-1", "another title")
    other = thread_for_subject(SUBJECT, "case-2")
    assert first.pk == again.pk != other.pk
    assert again.title == "病例讨论"


def test_the_subject_owners_policy_decides(admitted: Admitted) -> None:
    member, outsider = make_actor("requester"), make_actor("expert")
    admitted.user_ids.add(member.user_id)
    thread = thread_for_subject(SUBJECT, "case-1")
    assert get_thread_for(actor=member, thread_uuid=thread.uuid) == thread
    with pytest.raises(NotFound):
        get_thread_for(actor=outsider, thread_uuid=thread.uuid)


def test_an_unknown_subject_type_admits_nobody() -> None:
    admin = make_actor("platform_admin")
    thread = thread_for_subject("nobody-registered-this", "x")
    with pytest.raises(NotFound):
        get_thread_for(actor=admin, thread_uuid=thread.uuid)


def test_missing_and_malformed_threads_are_not_found(admitted: Admitted) -> None:
    actor = make_actor()
    admitted.user_ids.add(actor.user_id)
    for value in ("00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        with pytest.raises(NotFound):
            get_thread_for(actor=actor, thread_uuid=value)
