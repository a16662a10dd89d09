"""/api/v1/conferencing: a thread's messages (paged, newest page first), posting, and
marking read. Attachments are posted through the thread page's form."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from xietong.core.api import ErrorOut
from xietong.core.http import ApiRequest
from xietong.core.inputs import text
from xietong.core.paging import limit_field

from .live import attachment_url
from .models import BODY_MAX_CHARS, Message
from .selectors import get_thread_for, thread_history_for
from .services import message_post, thread_mark_read

router = Router(tags=["chat"])


class MessageOut(Schema):
    uuid: uuid.UUID
    # The order of the thread (a page catching up after a dropped connection merges by it).
    seq: int
    author_id: int
    author: str
    institution: str
    roles: list[str]
    body: str
    attachment_name: str
    attachment_type: str
    attachment_url: str
    created_at: dt.datetime

    @staticmethod
    def from_message(m: Message) -> MessageOut:
        return MessageOut(
            uuid=m.uuid,
            seq=m.pk,
            author_id=m.author_id,
            author=m.author_name,
            institution=m.author_institution,
            roles=list(m.author_roles or []),
            body=m.body,
            attachment_name=m.attachment_name,
            attachment_type=m.attachment_type,
            attachment_url=attachment_url(m),
            created_at=m.created_at,
        )


class MessagePageOut(Schema):
    items: list[MessageOut]
    has_more: bool


class MessagePageIn(Schema):
    limit: int = limit_field(default=50)
    before: uuid.UUID | None = None


class MessageIn(Schema):
    body: str = text(most=BODY_MAX_CHARS, checked=True)


class ReadIn(Schema):
    message: uuid.UUID | None = None


class ReadOut(Schema):
    changed: bool


@router.get("/threads/{thread_uuid}/messages", response={200: MessagePageOut, 404: ErrorOut})
def thread_message_list(
    request: ApiRequest, thread_uuid: uuid.UUID, page: Query[MessagePageIn]
) -> MessagePageOut:
    """Oldest first within the page; pass `before` (the first UUID) for older ones."""
    thread = get_thread_for(actor=request.auth, thread_uuid=thread_uuid)
    result = thread_history_for(
        actor=request.auth, thread=thread, before=page.before, limit=page.limit
    )
    return MessagePageOut(
        items=[MessageOut.from_message(m) for m in result.messages], has_more=result.has_more
    )


@router.post(
    "/threads/{thread_uuid}/messages",
    response={201: MessageOut, 404: ErrorOut, 422: ErrorOut},
)
def thread_message_post(
    request: ApiRequest, thread_uuid: uuid.UUID, payload: MessageIn
) -> Status[MessageOut]:
    thread = get_thread_for(actor=request.auth, thread_uuid=thread_uuid)
    message = message_post(actor=request.auth, thread=thread, body=payload.body)
    return Status(201, MessageOut.from_message(message))


@router.post(
    "/threads/{thread_uuid}/attachments",
    response={201: MessageOut, 404: ErrorOut, 413: ErrorOut, 422: ErrorOut},
)
def thread_attachment_post(
    request: ApiRequest,
    thread_uuid: uuid.UUID,
    payload: Form[MessageIn],
    attachment: File[UploadedFile | None] = None,
) -> Status[MessageOut]:
    """multipart/form-data: an optional `body` and `attachment`, a PDF, JPEG or PNG file
    (judged by its content) of at most XT_UPLOAD_MAX_MB."""
    thread = get_thread_for(actor=request.auth, thread_uuid=thread_uuid)
    message = message_post(
        actor=request.auth, thread=thread, body=payload.body, attachment=attachment
    )
    return Status(201, MessageOut.from_message(message))


@router.post("/threads/{thread_uuid}/read", response={200: ReadOut, 404: ErrorOut})
def thread_read(request: ApiRequest, thread_uuid: uuid.UUID, payload: ReadIn) -> ReadOut:
    """Read up to `message` (the newest when omitted)."""
    thread = get_thread_for(actor=request.auth, thread_uuid=thread_uuid)
    changed = thread_mark_read(actor=request.auth, thread=thread, up_to=payload.message)
    return ReadOut(changed=changed)
