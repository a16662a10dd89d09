from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from xietong.notifications.live import unread_count_push
from xietong.notifications.models import Notification, OutboxMessage, OutboxStatus
from xietong.notifications.services import notify
from xietong.notifications.tests.adapters import FailsOnce
from xietong.notifications.tests.helpers import a_user

pytestmark = pytest.mark.django_db


def test_each_recipient_gets_one_unread_notification(
    django_capture_on_commit_callbacks: Any,
) -> None:
    a, b = a_user(), a_user()
    gone = a_user(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            user_ids=[a.pk, b.pk, b.pk, gone.pk],
            kind="consultation.accepted",
            title="会诊已接受",
            body="专家已接受您的会诊申请",
            url="/consultations/1/",
        )
    rows = Notification.objects.order_by("recipient_id")
    assert [(n.recipient_id, n.title, n.read_at) for n in rows] == [
        (a.pk, "会诊已接受", None),
        (b.pk, "会诊已接受", None),
    ]
    assert OutboxMessage.objects.count() == 0


def test_nothing_is_kept_or_sent_when_the_callers_work_rolls_back(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = a_user(phone="13812345678", email="doc@example.cn")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(user_ids=[user.pk], kind="k", title="t", sms=True, email=True)
        raise RuntimeError("the workflow step failed")
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []


def test_sms_stays_in_the_outbox_marked_sent_and_email_goes_through_django(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = a_user(phone="13812345678", email="doc@example.cn")
    no_contact = a_user(phone="", email="")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            user_ids=[user.pk, no_contact.pk],
            kind="consultation.requested",
            title="新的会诊申请",
            body="请审核",
            url="/consultations/1/",
            sms=True,
            email=True,
        )
    sent = {m.channel: m for m in OutboxMessage.objects.all()}
    assert set(sent) == {"sms", "email"}
    assert sent["sms"].address == "13812345678"
    # The default backend is the outbox itself: nothing was handed to a gateway, so the
    # message is kept there to be read, and never reported sent.
    assert sent["sms"].status == OutboxStatus.KEPT and sent["sms"].attempts == 1
    assert sent["sms"].sent_at is None
    assert sent["sms"].body == "【协同医疗】新的会诊申请：请审核"
    assert sent["email"].status == OutboxStatus.SENT and sent["email"].sent_at is not None
    assert [(m.to, m.subject) for m in mail.outbox] == [(["doc@example.cn"], "新的会诊申请")]
    assert "/consultations/1/" in mail.outbox[0].body


def test_a_gateway_that_stays_down_leaves_the_message_failed_and_visible(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.XT_SMS_BACKEND = "xietong.notifications.tests.adapters.GatewayDown"
    settings.XT_OUTBOX_MAX_ATTEMPTS = 3
    user = a_user(phone="13812345678")
    with django_capture_on_commit_callbacks(execute=True):
        notify(user_ids=[user.pk], kind="k", title="急诊会诊", sms=True)
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == 3
    assert message.last_error == "ConnectionError: gateway unreachable"
    # The in-app notification is there whatever happened to the SMS.
    assert Notification.objects.filter(recipient=user).count() == 1


def test_a_failed_attempt_is_retried_and_then_sent(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.XT_SMS_BACKEND = "xietong.notifications.tests.adapters.FailsOnce"
    FailsOnce.calls.clear()
    user = a_user(phone="13812345678")
    with django_capture_on_commit_callbacks(execute=True):
        notify(user_ids=[user.pk], kind="k", title="t", sms=True)
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.SENT, 2, "")
    assert FailsOnce.calls == ["13812345678", "13812345678"]


def test_a_worker_backend_gets_the_retry_deferred_by_the_backoff(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """With a backend that can wait (the database one in production), a failure leaves the
    message pending and the next attempt queued for later, not run at once."""
    from django_tasks import task_backends

    from xietong.notifications.tasks import outbox_deliver

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.XT_SMS_BACKEND = "xietong.notifications.tests.adapters.GatewayDown"
    settings.XT_OUTBOX_RETRY_SECONDS = 60
    user = a_user(phone="13812345678")
    with django_capture_on_commit_callbacks(execute=True):
        notify(user_ids=[user.pk], kind="k", title="t", sms=True)
    message = OutboxMessage.objects.get()
    queued = task_backends["default"].results  # type: ignore[attr-defined]
    assert [(r.task.name, r.args, r.task.run_after) for r in queued] == [
        ("outbox_deliver", [message.pk], None)
    ]
    # The worker runs the first attempt: it fails and books the next one a minute later.
    outbox_deliver.call(message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert message.next_attempt_at is not None
    retry = queued[-1]
    assert retry.task.run_after == message.next_attempt_at


def test_telling_many_people_their_count_changed_costs_the_request_no_query(
    django_assert_num_queries: Any,
) -> None:
    users = [a_user() for _ in range(5)]
    with django_assert_num_queries(0):
        unread_count_push(u.pk for u in users)
