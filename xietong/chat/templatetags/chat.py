"""{% chat_thread thread %}: the chat partial for any page that has a thread to show."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from xietong.accounts.models import Role
from xietong.chat.models import Message, Thread
from xietong.chat.selectors import (
    thread_history_for,
    thread_read_positions,
    thread_retention_until,
)
from xietong.chat.services import thread_mark_read

register = template.Library()


@register.simple_tag(takes_context=True)
def chat_thread(context: Any, thread: Thread, **extra: Any) -> SafeString:
    """Renders chat/_thread.html. Showing the thread is reading it: the viewer's
    read position moves to the newest message (the page's script keeps it moving)."""
    request = context["request"]
    actor = context["actor"]
    thread_mark_read(actor=actor, thread=thread)
    page = thread_history_for(actor=actor, thread=thread)
    readers = thread_read_positions(thread=thread)
    return render_to_string(
        "chat/_thread.html",
        {
            "thread": thread,
            "messages": page.messages,
            "has_more": page.has_more,
            "retention_until": thread_retention_until(thread),
            "readers": [
                {"user_id": uid, "name": name, "seq": seq} for uid, (name, seq) in readers.items()
            ],
            "me": actor.user_id,
            "chat_errors": context.get("chat_errors") or {},
            "chat_body": context.get("chat_body", ""),
            **extra,
        },
        request=request,
    )


@register.filter
def role_labels(message: Message) -> str:
    labels = []
    for code in message.author_roles or []:
        try:
            labels.append(str(Role(code).label))
        except ValueError:
            labels.append(code)
    return "、".join(labels)
