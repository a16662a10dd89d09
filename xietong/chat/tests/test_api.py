from __future__ import annotations

from typing import Any, cast

import pytest
from django.test import Client

from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import MembershipFactory
from xietong.accounts.tokens import api_token_issue
from xietong.chat.models import Message, ReadState
from xietong.chat.services import thread_for_subject
from xietong.chat.tests.helpers import SUBJECT, Admitted, pdf_bytes, upload
from xietong.core.tests.statements import statements_at_most

pytestmark = pytest.mark.django_db


def _api(admitted: Admitted | None = None) -> tuple[Client, Membership]:
    membership = cast(Membership, MembershipFactory(user__display_name="李医生"))
    if admitted is not None:
        admitted.user_ids.add(membership.user_id)
    _, key = api_token_issue(membership=membership)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en"), membership


def _post(api: Client, url: str, body: dict[str, Any]) -> Any:
    return api.post(url, body, content_type="application/json")


def test_post_list_page_and_mark_read(admitted: Admitted) -> None:
    api, _member = _api(admitted)
    thread = thread_for_subject(SUBJECT, "case-1")
    url = f"/api/v1/conferencing/threads/{thread.uuid}"
    for n in range(5):
        created = _post(api, f"{url}/messages", {"body": f"消息{n}"})
        assert created.status_code == 201
    assert created.json()["author"] == "李医生"

    newest = api.get(f"{url}/messages", {"limit": 2}).json()
    assert [m["body"] for m in newest["items"]] == ["消息3", "消息4"] and newest["has_more"]
    older = api.get(f"{url}/messages", {"limit": 10, "before": newest["items"][0]["uuid"]}).json()
    assert [m["body"] for m in older["items"]] == ["消息0", "消息1", "消息2"]
    assert older["has_more"] is False

    reader, _ = _api(admitted)
    assert _post(reader, f"{url}/read", {}).json() == {"changed": True}
    assert _post(reader, f"{url}/read", {}).json() == {"changed": False}
    assert ReadState.objects.filter(thread=thread).count() == 2


def test_bad_body_is_422_in_the_callers_language(admitted: Admitted) -> None:
    api, _ = _api(admitted)
    thread = thread_for_subject(SUBJECT, "case-1")
    response = _post(api, f"/api/v1/conferencing/threads/{thread.uuid}/messages", {"body": ""})
    assert response.status_code == 422
    assert response.json()["fields"] == {"body": ["Write a message or attach a file."]}
    assert Message.objects.count() == 0


def test_outsider_gets_404(admitted: Admitted) -> None:
    api, _ = _api()
    thread = thread_for_subject(SUBJECT, "case-1")
    url = f"/api/v1/conferencing/threads/{thread.uuid}"
    assert api.get(f"{url}/messages").status_code == 404
    assert _post(api, f"{url}/messages", {"body": "x"}).status_code == 404
    assert _post(api, f"{url}/read", {}).status_code == 404


def test_attachment_upload_is_judged_by_its_content(admitted: Admitted) -> None:
    api, _ = _api(admitted)
    thread = thread_for_subject(SUBJECT, "case-1")
    url = f"/api/v1/conferencing/threads/{thread.uuid}/attachments"
    sent = api.post(url, {"body": "化验单", "attachment": upload("lab.pdf", pdf_bytes())})
    assert sent.status_code == 201
    assert (sent.json()["attachment_name"], sent.json()["attachment_type"]) == (
        "lab.pdf",
        "application/pdf",
    )
    refused = api.post(url, {"attachment": upload("lab.pdf", b"<html>not a pdf</html>")})
    assert refused.status_code == 422
    assert refused.json()["fields"] == {"attachment": ["Attach a PDF, JPEG or PNG file."]}
    assert Message.objects.count() == 1


def test_the_catch_up_page_a_reopened_socket_reads_stays_within_a_read_s_budget(
    admitted: Admitted,
) -> None:
    # The thread page reads this page each time its socket opens (thread.js catchUp): it
    # carries what the page merges by, and costs a read's budget however long the thread.
    api, member = _api(admitted)
    thread = thread_for_subject(SUBJECT, "case-1")
    url = f"/api/v1/conferencing/threads/{thread.uuid}/messages"
    for n in range(30):
        assert _post(api, url, {"body": f"消息{n}"}).status_code == 201
    api.get(url)  # the token's first use of the minute is recorded; later ones are not
    with statements_at_most(6):
        page = api.get(url)
    assert page.status_code == 200
    last = page.json()["items"][-1]
    newest = Message.objects.filter(thread=thread).latest("pk")
    assert (last["body"], last["seq"], last["author_id"]) == ("消息29", newest.pk, member.user_id)
    assert last["attachment_url"] == ""
