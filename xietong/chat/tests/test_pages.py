from __future__ import annotations

from typing import Any, cast

import pytest
from django.test import Client

from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import MembershipFactory
from xietong.chat.models import Message, ReadState
from xietong.chat.services import message_post, thread_for_subject
from xietong.chat.tests.helpers import SUBJECT, Admitted, pdf_bytes, upload
from xietong.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _member(client: Client, admitted: Admitted, name: str, *roles: str) -> Membership:
    m = cast(
        Membership, MembershipFactory(roles=list(roles) or ["requester"], user__display_name=name)
    )
    admitted.user_ids.add(m.user_id)
    client.force_login(m.user)
    client.cookies["django_language"] = "en"
    return m


def _text(response: Any) -> str:
    return str(response.content.decode())


def test_thread_page_shows_history_author_institution_and_a_form(
    client: Client, admitted: Admitted
) -> None:
    from xietong.accounts.actors import actor_for_membership

    other = cast(Membership, MembershipFactory(roles=["expert"], user__display_name="王教授"))
    admitted.user_ids.add(other.user_id)
    thread = thread_for_subject(SUBJECT, "case-1", "胸痛病例讨论")
    message_post(actor=actor_for_membership(other), thread=thread, body="请上传心电图")
    me = _member(client, admitted, "李医生")

    page = _text(client.get(f"/conferencing/threads/{thread.uuid}/"))
    assert "胸痛病例讨论" in page and "请上传心电图" in page and "王教授" in page
    assert other.institution.name in page and "expert" in page
    assert f'data-ws="/ws/threads/{thread.uuid}/"' in page
    assert 'name="attachment"' in page and 'name="body"' in page
    assert "Messages are kept at least until" in page
    # Opening the page is reading it: the read position moves and the read is audited.
    assert ReadState.objects.get(thread=thread, user_id=me.user_id).last_read is not None
    read = AuditEvent.objects.get(resource_type="ChatThread", action="chat_thread.read")
    assert (read.user_id, read.resource_id) == (me.user_id, str(thread.uuid))


def test_outsiders_and_unknown_threads_get_404(client: Client, admitted: Admitted) -> None:
    thread = thread_for_subject(SUBJECT, "case-1")
    client.force_login(cast(Membership, MembershipFactory()).user)
    assert client.get(f"/conferencing/threads/{thread.uuid}/").status_code == 404
    assert (
        client.post(f"/conferencing/threads/{thread.uuid}/messages/", {"body": "x"}).status_code
        == 404
    )
    assert Message.objects.count() == 0


def test_posting_without_script_returns_to_the_page(client: Client, admitted: Admitted) -> None:
    _member(client, admitted, "李医生")
    thread = thread_for_subject(SUBJECT, "case-1")
    response = client.post(f"/conferencing/threads/{thread.uuid}/messages/", {"body": "你好"})
    assert response.status_code == 302
    assert response["Location"] == f"/conferencing/threads/{thread.uuid}/"
    assert "你好" in _text(client.get(response["Location"]))


def test_bad_post_shows_the_error_and_keeps_the_text(client: Client, admitted: Admitted) -> None:
    _member(client, admitted, "李医生")
    thread = thread_for_subject(SUBJECT, "case-1")
    response = client.post(
        f"/conferencing/threads/{thread.uuid}/messages/",
        {"body": "看附件", "attachment": upload("x.pdf", b"GIF89a not allowed")},
    )
    assert response.status_code == 422
    assert "Attach a PDF, JPEG or PNG file." in _text(response) and "看附件" in _text(response)
    scripted = client.post(
        f"/conferencing/threads/{thread.uuid}/messages/",
        {"body": ""},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert scripted.status_code == 422
    assert scripted.json()["fields"] == {"body": ["Write a message or attach a file."]}
    assert Message.objects.count() == 0


def test_attachment_is_served_to_participants_only_and_audited(
    client: Client, admitted: Admitted
) -> None:
    _member(client, admitted, "李医生")
    thread = thread_for_subject(SUBJECT, "case-1")
    response = client.post(
        f"/conferencing/threads/{thread.uuid}/messages/",
        {"body": "", "attachment": upload("检验报告.pdf", pdf_bytes())},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 201
    url = response.json()["message"]["attachment_url"]
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    assert (
        AuditEvent.objects.filter(
            resource_type="ChatAttachment", action="chat_attachment.read"
        ).count()
        == 1
    )

    outsider = Client()
    outsider.force_login(cast(Membership, MembershipFactory()).user)
    assert outsider.get(url).status_code == 404
