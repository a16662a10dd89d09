from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xietong.notifications.models import Notification, OutboxMessage, OutboxStatus
from xietong.notifications.tests.helpers import signed_in, tell, text

pytestmark = pytest.mark.django_db


def _bell_count(page: str) -> str:
    match = re.search(r"data-bell-count[^>]*>(\d+)<", page)
    assert match, "no bell in the header"
    return match.group(1)


def test_the_bell_in_every_page_header_shows_the_unread_count(client: Client) -> None:
    member = signed_in(client)
    assert _bell_count(text(client.get(reverse("home")))) == "0"
    tell(member.user_id, "会诊已接受")
    tell(member.user_id, "会诊已完成")
    page = text(client.get(reverse("home")))
    assert _bell_count(page) == "2"
    assert 'data-bell-ws="/ws/notifications/"' in page


def _nav_entry(page: str, url: str) -> str:
    nav = page[page.index('id="mainnav"') :]
    start = nav.index(f'href="{url}"')
    return nav[start : nav.index("</a>", start)]


def test_the_navigation_entry_counts_the_unread_and_the_bell_is_an_icon(client: Client) -> None:
    member = signed_in(client)
    entry = _nav_entry(text(client.get(reverse("home"))), reverse("notifications:list"))
    assert "bi-bell" in entry and "Notifications" in entry and "xt-nav-count" not in entry
    tell(member.user_id, "会诊已接受")
    tell(member.user_id, "会诊已完成")
    page = text(client.get(reverse("home")))
    entry = _nav_entry(page, reverse("notifications:list"))
    assert re.search(r'class="badge[^"]*xt-nav-count">2<', entry)
    # The header's bell: the kit's icon, the count as a red pill.
    bell = page[page.index('class="bell ') : page.index("</a>", page.index('class="bell '))]
    assert "bi bi-bell" in bell and "text-bg-danger" in bell and "<svg" not in bell


def test_signed_out_pages_have_no_bell(client: Client) -> None:
    assert "data-bell-count" not in text(client.get(reverse("accounts:login")))


def test_list_shows_unread_first_and_newest_first(client: Client) -> None:
    member = signed_in(client)
    old_read = tell(member.user_id, "Old and read")
    Notification.objects.filter(pk=old_read.pk).update(read_at=timezone.now())
    tell(member.user_id, "First unread")
    tell(member.user_id, "Second unread")
    page = text(client.get(reverse("notifications:list")))
    order = [page.index(t) for t in ("Second unread", "First unread", "Old and read")]
    assert order == sorted(order)
    assert "2 unread notifications" in page


def test_open_marks_read_and_follows_the_link(client: Client) -> None:
    member = signed_in(client)
    n = tell(member.user_id, "Look", url="/patients/")
    response = client.post(
        reverse("notifications:mark_read"), {"notification": str(n.uuid), "next": "/patients/"}
    )
    assert response.status_code == 302 and response["Location"] == "/patients/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_open_never_leads_to_another_site(client: Client) -> None:
    member = signed_in(client)
    n = tell(member.user_id, "Look")
    response = client.post(
        reverse("notifications:mark_read"),
        {"notification": str(n.uuid), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("notifications:list")


def test_mark_all_read_from_the_page(client: Client) -> None:
    member = signed_in(client)
    tell(member.user_id, "a")
    tell(member.user_id, "b")
    client.post(reverse("notifications:mark_all_read"))
    page = text(client.get(reverse("notifications:list")))
    assert "0 unread notifications" in page and _bell_count(page) == "0"


def test_marking_someone_elses_notification_is_404(client: Client) -> None:
    signed_in(client)
    other = signed_in(Client())
    theirs = tell(other.user_id, "theirs")
    response = client.post(reverse("notifications:mark_read"), {"notification": str(theirs.uuid)})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_outbox_page_is_for_platform_admins_only(client: Client) -> None:
    OutboxMessage.objects.create(
        channel="sms", address="13812345678", body="急诊会诊请求", status=OutboxStatus.FAILED,
        attempts=5, last_error="ConnectionError: gateway unreachable",
    )  # fmt: skip
    signed_in(client, "requester")
    assert client.get(reverse("notifications:outbox")).status_code == 404
    signed_in(client, "platform_admin")
    page = text(client.get(reverse("notifications:outbox")))
    assert "13812345678" in page and "急诊会诊请求" in page
    assert "gateway unreachable" in page and 'data-label="Status"' in page
    assert 'data-status="failed"' in page and "xt-status-bad" in page
    # The filter offers every status, the messages no gateway took among them.
    assert '<option value="kept">' in page
    assert "13812345678" not in text(
        client.get(reverse("notifications:outbox"), {"status": "sent"})
    )


def test_pages_speak_chinese_by_default(client: Client) -> None:
    member = signed_in(client)
    del client.cookies["django_language"]
    tell(member.user_id, "x")
    page = text(client.get(reverse("notifications:list")))
    assert "全部标为已读" in page
