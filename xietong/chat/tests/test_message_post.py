from __future__ import annotations

from typing import Any

import pytest

from xietong.accounts.tests.factories import make_actor
from xietong.chat.models import Message, ReadState
from xietong.chat.services import message_post, thread_for_subject, thread_mark_read
from xietong.chat.tests.helpers import SUBJECT, Admitted, pdf_bytes, png_bytes, upload
from xietong.core.errors import NotFound, ValidationFailed
from xietong.core.models import AuditEvent
from xietong.directory.tests.factories import InstitutionFactory
from xietong.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(admitted: Admitted) -> tuple[Any, Any, Any]:
    county = InstitutionFactory(name="柘城县人民医院")
    a = make_actor("requester", institution=county)
    b = make_actor("expert")
    admitted.user_ids.update({a.user_id, b.user_id})
    return a, b, thread_for_subject(SUBJECT, "case-1", "讨论")


def test_a_message_keeps_who_wrote_it_and_is_audited(pair: Any) -> None:
    a, _b, thread = pair
    message = message_post(actor=a, thread=thread, body="  患者胸痛两小时  ")
    assert message.body == "患者胸痛两小时"
    assert (message.author_institution, message.author_roles) == ("柘城县人民医院", ["requester"])
    event = AuditEvent.objects.get(resource_type="ChatMessage")
    assert (event.action, event.resource_id, event.user_id) == (
        "chat_message.create",
        str(message.uuid),
        a.user_id,
    )
    # Writing is reading what one wrote.
    assert ReadState.objects.get(thread=thread, user_id=a.user_id).last_read == message


@pytest.mark.parametrize(
    ("body", "attachment", "field"),
    [
        ("", None, "body"),
        ("   ", None, "body"),
        ("字" * 4001, None, "body"),
        ("see file", "fake.pdf", "attachment"),
        ("", "empty.png", "attachment"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_kept(
    pair: Any, body: str, attachment: str | None, field: str
) -> None:
    a, _b, thread = pair
    files = {"fake.pdf": b"MZ\x90\x00 not a pdf", "empty.png": b""}
    file = upload(attachment, files[attachment]) if attachment else None
    with pytest.raises(ValidationFailed) as refused:
        message_post(actor=a, thread=thread, body=body, attachment=file)
    assert list(refused.value.fields) == [field]
    assert Message.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_too_large_attachment_names_the_limit(pair: Any, settings: Any) -> None:
    settings.XT_UPLOAD_MAX_MB = 1
    a, _b, thread = pair
    big = upload("scan.png", png_bytes() + b"\x00" * (1024 * 1024))
    with pytest.raises(ValidationFailed) as refused:
        message_post(actor=a, thread=thread, body="", attachment=big)
    assert "1 MB" in str(refused.value.fields["attachment"][0])


def test_pdf_and_png_attachments_are_kept_by_their_content(pair: Any) -> None:
    a, _b, thread = pair
    pdf = message_post(actor=a, thread=thread, body="", attachment=upload("报告.pdf", pdf_bytes()))
    png = message_post(
        actor=a, thread=thread, body="心电图", attachment=upload("ecg.jpg", png_bytes())
    )
    assert (pdf.attachment_type, png.attachment_type) == ("application/pdf", "image/png")
    assert pdf.attachment.read().startswith(b"%PDF-")


def test_an_outsider_cannot_post(pair: Any) -> None:
    _a, _b, thread = pair
    with pytest.raises(NotFound):
        message_post(actor=make_actor("expert"), thread=thread, body="hello")
    assert Message.objects.count() == 0


def test_others_get_one_unread_notification_per_thread_until_they_read_it(
    pair: Any, django_capture_on_commit_callbacks: Any
) -> None:
    a, b, thread = pair
    thread_mark_read(actor=b, thread=thread)  # b has opened the thread: a participant
    with django_capture_on_commit_callbacks(execute=True):
        message_post(actor=a, thread=thread, body="第一条")
        message_post(actor=a, thread=thread, body="第二条")
    notes = Notification.objects.filter(recipient_id=b.user_id)
    assert [(n.kind, n.body, n.read_at) for n in notes] == [("chat.message", "第一条", None)]
    assert notes[0].url == f"/conferencing/threads/{thread.uuid}/"
    assert not Notification.objects.filter(recipient_id=a.user_id).exists()

    thread_mark_read(actor=b, thread=thread)
    assert Notification.objects.get(recipient_id=b.user_id).read_at is not None
    message_post(actor=a, thread=thread, body="第三条")
    assert Notification.objects.filter(recipient_id=b.user_id, read_at__isnull=True).count() == 1


def test_read_position_never_moves_back(pair: Any) -> None:
    a, b, thread = pair
    first = message_post(actor=a, thread=thread, body="1")
    second = message_post(actor=a, thread=thread, body="2")
    assert thread_mark_read(actor=b, thread=thread, up_to=second.uuid) is True
    assert thread_mark_read(actor=b, thread=thread, up_to=first.uuid) is False
    assert ReadState.objects.get(thread=thread, user_id=b.user_id).last_read == second
    with pytest.raises(NotFound):
        thread_mark_read(actor=b, thread=thread, up_to="00000000-0000-0000-0000-000000000000")
