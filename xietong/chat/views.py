"""Chat pages: the standalone thread page, the HTTP way to post (with attachments; the
page's script uses it, and it works without script), and attachments behind access."""

from __future__ import annotations

import uuid

from django.http import FileResponse, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from xietong.core.actor import Actor
from xietong.core.errors import ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view

from .live import message_payload
from .selectors import get_attachment_for, get_thread_for
from .services import message_post


@actor_view
def thread_page(request: ActorRequest, actor: Actor, thread_uuid: uuid.UUID) -> HttpResponse:
    thread = get_thread_for(actor=actor, thread_uuid=thread_uuid)
    return render(request, "chat/thread_page.html", {"thread": thread})


@actor_view
@require_POST
def message_post_view(
    request: ActorRequest, actor: Actor, thread_uuid: uuid.UUID
) -> HttpResponseBase:
    thread = get_thread_for(actor=actor, thread_uuid=thread_uuid)
    scripted = request.headers.get("X-Requested-With") == "fetch" or bool(
        request.headers.get("HX-Request")
    )
    try:
        message = message_post(
            actor=actor,
            thread=thread,
            body=request.POST.get("body", ""),
            attachment=request.FILES.get("attachment"),
        )
    except ValidationFailed as exc:
        fields = {k: [str(m) for m in v] for k, v in exc.fields.items()}
        if scripted:
            return JsonResponse({"message": str(exc.message), "fields": fields}, status=422)
        html = render_to_string(
            "chat/thread_page.html",
            {"thread": thread, "chat_errors": fields, "chat_body": request.POST.get("body", "")},
            request=request,
        )
        return HttpResponse(html, status=422)
    if scripted:
        return JsonResponse({"message": message_payload(message)}, status=201)
    # Without script: back to the page the form was on (ours only), else the thread page.
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("conferencing:thread", thread_uuid=thread.uuid)


@actor_view
def attachment(request: ActorRequest, actor: Actor, message_uuid: uuid.UUID) -> FileResponse:
    message = get_attachment_for(actor=actor, message_uuid=message_uuid)
    return FileResponse(
        message.attachment.open("rb"),
        content_type=message.attachment_type or "application/octet-stream",
        filename=message.attachment_name,
    )
