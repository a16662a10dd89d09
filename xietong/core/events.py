"""The after-commit event bus. A service emits a domain event inside its transaction;
handlers run only once the transaction commits, so a rolled-back write notifies nobody."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)

Handler = Callable[[str, dict[str, Any]], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)


def event_subscribe(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if handler not in _handlers[name]:
            _handlers[name].append(handler)
        return handler

    return register


def event_emit(name: str, **payload: Any) -> None:
    transaction.on_commit(lambda: _dispatch(name, payload))


def _dispatch(name: str, payload: dict[str, Any]) -> None:
    for handler in [*_handlers.get(name, []), *_handlers.get("*", [])]:
        try:
            handler(name, payload)
        except Exception:
            # One failing listener must not stop the others, nor undo the committed write.
            log.exception("event handler %r failed for %s", handler, name)
