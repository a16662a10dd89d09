"""{% header_widgets %}: the header widgets apps registered (xietong/core/header.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from xietong.core.header import header_widgets_for

register = template.Library()


@register.simple_tag(takes_context=True)
def header_widgets(context: dict[str, Any]) -> SafeString:
    request = context.get("request")
    actor = context.get("actor")
    widgets = header_widgets_for(request, actor) if request and actor else []
    # Renderers return SafeString (a rendered template); anything else is escaped here.
    return format_html_join("", "{}", ((html,) for html in widgets if html))
