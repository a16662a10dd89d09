"""A notification reads in its reader's language, whatever the language of the person whose
action caused it: the texts are kept in every language the platform speaks."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from xietong.notifications.models import Notification
from xietong.notifications.services import notify
from xietong.notifications.tests.helpers import a_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sms", [False, True])  # the one-statement rows, and the outbox path
def test_a_lazy_title_reads_in_each_readers_language(sms: bool) -> None:
    reader = a_user(phone="13812345678")
    with translation.override("en"):  # the actor who caused it reads English
        notify(
            user_ids=[reader.pk],
            kind="k",
            title=gettext_lazy("Notifications"),
            body=format_lazy("{}: {}", "HZ-1", gettext_lazy("Notifications")),
            sms=sms,
        )
    with translation.override("zh-hans"):
        shown = Notification.objects.get(recipient=reader)
        assert (shown.title, shown.body) == ("通知", "HZ-1: 通知")
    with translation.override("en"):
        shown = Notification.objects.get(recipient=reader)
        assert (shown.title, shown.body) == ("Notifications", "HZ-1: Notifications")
    # The stored columns are in the platform's language, for anything that reads them raw.
    assert Notification.objects.filter(recipient=reader, title="通知").exists()


def test_a_plain_title_is_kept_as_given() -> None:
    reader = a_user()
    notify(user_ids=[reader.pk], kind="k", title="新的会诊申请", body="请审核")
    with translation.override("en"):
        shown = Notification.objects.get(recipient=reader)
    assert (shown.title, shown.body, shown.translations) == ("新的会诊申请", "请审核", {})
