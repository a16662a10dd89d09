"""A handler subscribed within the transaction runs at the emit, inside it; an after-commit
handler runs only once the transaction commits."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from xietong.core.events import event_emit, event_subscribe, event_subscribe_within

pytestmark = pytest.mark.django_db(transaction=True)


def test_within_runs_in_the_transaction_and_after_commit_after_it() -> None:
    seen: list[tuple[str, bool]] = []

    @event_subscribe_within("test.within_order")
    def within(name: str, payload: dict[str, Any]) -> None:
        seen.append(("within", connection.in_atomic_block))

    @event_subscribe("test.within_order")
    def after(name: str, payload: dict[str, Any]) -> None:
        seen.append(("after", connection.in_atomic_block))

    with transaction.atomic():
        event_emit("test.within_order", n=1)
        assert seen == [("within", True)]
    assert seen == [("within", True), ("after", False)]


def test_a_rolled_back_transaction_tells_only_the_within_handler() -> None:
    seen: list[str] = []
    event_subscribe_within("test.within_rollback")(lambda name, payload: seen.append("within"))
    event_subscribe("test.within_rollback")(lambda name, payload: seen.append("after"))
    with pytest.raises(RuntimeError), transaction.atomic():
        event_emit("test.within_rollback")
        raise RuntimeError
    assert seen == ["within"]  # and whatever it wrote was rolled back with the cause
