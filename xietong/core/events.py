"""The after-commit event bus. A service emits a domain event inside its transaction;
handlers run only once the transaction commits, so a rolled-back write notifies nobody.

A few listeners must instead write in the emitting transaction itself: what they write has
to exist exactly when the cause does (a durable message to a hospital, ADR 27). They
subscribe with `event_subscribe_within`; they run at once, inside the transaction, and an
exception there rolls the cause back with them."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)

Handler = Callable[[str, dict[str, Any]], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)
_within: dict[str, list[Handler]] = defaultdict(list)


def event_subscribe(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if handler not in _handlers[name]:
            _handlers[name].append(handler)
        return handler

    return register


def event_subscribe_within(name: str) -> Callable[[Handler], Handler]:
    """A handler run inside the emitting transaction (see the module's docstring). Keep it
    to a few writes: every emit of `name` waits for it."""

    def register(handler: Handler) -> Handler:
        if handler not in _within[name]:
            _within[name].append(handler)
        return handler

    return register


def event_emit(name: str, **payload: Any) -> None:
    for handler in _within.get(name, ()):
        handler(name, payload)
    transaction.on_commit(lambda: _dispatch(name, payload))


def _dispatch(name: str, payload: dict[str, Any]) -> None:
    for handler in [*_handlers.get(name, []), *_handlers.get("*", [])]:
        try:
            handler(name, payload)
        except Exception:
            # One failing listener must not stop the others, nor undo the committed write.
            log.exception("event handler %r failed for %s", handler, name)
