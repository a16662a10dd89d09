from __future__ import annotations

import pytest

from xietong.accounts.actors import actor_for_membership
from xietong.core.errors import NotFound
from xietong.notifications.live import unread_count
from xietong.notifications.models import Notification
from xietong.notifications.services import (
    notifications_mark_all_read,
    notifications_mark_read,
    notifications_mark_subject_read,
)
from xietong.notifications.tests.helpers import a_membership, tell

pytestmark = pytest.mark.django_db


def test_mark_one_read_leaves_the_others_unread() -> None:
    actor = actor_for_membership(a_membership())
    first, second = tell(actor.user_id, "一"), tell(actor.user_id, "二")
    assert notifications_mark_read(actor=actor, notification_ids=[first.uuid]) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert unread_count(actor.user_id) == 1


def test_someone_elses_notification_is_not_found_and_nothing_changes() -> None:
    actor = actor_for_membership(a_membership())
    other = actor_for_membership(a_membership())
    mine, theirs = tell(actor.user_id, "mine"), tell(other.user_id, "theirs")
    with pytest.raises(NotFound):
        notifications_mark_read(actor=actor, notification_ids=[mine.uuid, theirs.uuid])
    with pytest.raises(NotFound):
        notifications_mark_read(actor=actor, notification_ids=["not-a-uuid"])
    assert Notification.objects.filter(read_at__isnull=False).count() == 0


def test_mark_all_read_touches_only_the_actors_rows() -> None:
    actor = actor_for_membership(a_membership())
    other = actor_for_membership(a_membership())
    tell(actor.user_id, "a")
    tell(actor.user_id, "b")
    tell(other.user_id, "c")
    assert notifications_mark_all_read(actor=actor) == 2
    assert (unread_count(actor.user_id), unread_count(other.user_id)) == (0, 1)


def test_seeing_a_subject_clears_its_notifications_only() -> None:
    actor = actor_for_membership(a_membership())
    tell(actor.user_id, "chat", subject_type="chat_thread", subject_id="t1")
    tell(actor.user_id, "other", subject_type="chat_thread", subject_id="t2")
    assert (
        notifications_mark_subject_read(actor=actor, subject_type="chat_thread", subject_id="t1")
        == 1
    )
    assert list(
        Notification.objects.filter(read_at__isnull=True).values_list("title", flat=True)
    ) == ["other"]
