"""Small widgets in the page header (a notification bell, say) that apps contribute.
Core knows no app: apps register a renderer here from AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.safestring import SafeString

from .actor import Actor

# Returns the widget's HTML (a SafeString, e.g. from render_to_string; a plain str would be
# escaped), or "" for none.
HeaderRenderer = Callable[[HttpRequest, Actor], SafeString | str]


@dataclass(frozen=True)
class HeaderWidget:
    render: HeaderRenderer
    order: int = 50


_widgets: list[HeaderWidget] = []


def header_widget_register(render: HeaderRenderer, *, order: int = 50) -> HeaderRenderer:
    if all(w.render is not render for w in _widgets):
        _widgets.append(HeaderWidget(render, order))
    return render


def header_widgets_for(request: HttpRequest, actor: Actor) -> list[SafeString | str]:
    return [w.render(request, actor) for w in sorted(_widgets, key=lambda w: w.order)]
