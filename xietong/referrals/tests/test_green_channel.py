"""Green channel: the desk is alerted at once; if it does not acknowledge within the
configured time, the coordinator is alerted (once), by the task, with the clock moved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from xietong.notifications.models import Notification, OutboxMessage
from xietong.referrals.greenchannel import green_channel_check
from xietong.referrals.models import ReferralEvent
from xietong.referrals.services import referral_acknowledge
from xietong.referrals.tasks import referral_green_channel_task

from .world import World

pytestmark = pytest.mark.django_db


def _coordinator_told(world: World) -> int:
    return Notification.objects.filter(
        recipient_id=world.coordinator.user_id, kind="referral.green_channel_overdue"
    ).count()


def test_unacknowledged_alerts_the_coordinator_once(world: World) -> None:
    r = world.request(urgency="emergency")
    now = timezone.now()
    assert green_channel_check(now=now + dt.timedelta(minutes=14)) == 0
    assert _coordinator_told(world) == 0
    assert green_channel_check(now=now + dt.timedelta(minutes=16)) == 1
    assert green_channel_check(now=now + dt.timedelta(minutes=30)) == 0
    assert _coordinator_told(world) == 1
    assert ReferralEvent.objects.filter(referral=r, action="green_channel_overdue").exists()


def test_acknowledged_in_time_alerts_nobody(world: World) -> None:
    r = world.request(urgency="emergency")
    referral_acknowledge(actor=world.desk, referral=r)
    assert green_channel_check(now=timezone.now() + dt.timedelta(hours=1)) == 0
    assert _coordinator_told(world) == 0
    assert Notification.objects.filter(
        recipient_id=world.sender.user_id, kind="referral.acknowledge"
    ).exists()


@override_settings(XT_REFERRAL_GREEN_ACK_MINUTES=5)
def test_the_time_is_configurable(world: World) -> None:
    world.request(urgency="emergency")
    assert green_channel_check(now=timezone.now() + dt.timedelta(minutes=6)) == 1


def test_the_task_and_the_command_run_it(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    world.request(urgency="emergency")
    later = timezone.now() + dt.timedelta(minutes=16)
    monkeypatch.setattr(timezone, "now", lambda: later)
    result = referral_green_channel_task.enqueue()
    assert result.return_value == 1
    call_command("referral_green_channel")
    assert _coordinator_told(world) == 1


def test_the_desk_hears_by_sms_at_once(world: World) -> None:
    from xietong.accounts.models import User

    User.objects.filter(pk=world.desk.user_id).update(phone="13900000001")
    world.request(urgency="emergency")
    assert OutboxMessage.objects.filter(address="13900000001", channel="sms").exists()
