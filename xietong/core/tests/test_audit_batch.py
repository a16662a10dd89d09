"""Events recorded inside audit_batch() join the chain together when the block ends: in the
order recorded, as consecutive links that verify, in two statements however many there are;
an error in the block leaves none of them behind."""

from __future__ import annotations

import pytest
from django.db import transaction

from xietong.accounts.tests.factories import make_actor
from xietong.core.audit import audit_batch, audit_record, audit_verify
from xietong.core.models import AuditEvent
from xietong.core.tests.statements import statements_at_most

pytestmark = pytest.mark.django_db


def _record(actor: object, n: int) -> None:
    audit_record(actor=actor, action="patient.read", resource_type="Patient", resource_id=n)  # type: ignore[arg-type]


def test_a_batch_appends_its_events_in_order_as_links_that_verify() -> None:
    actor = make_actor("requester")
    _record(actor, 0)
    # The look inside, and the append's two.
    with transaction.atomic(), statements_at_most(3), audit_batch():
        for n in (1, 2, 3):
            _record(actor, n)
        assert not AuditEvent.objects.filter(resource_id="1").exists()
    rows = list(AuditEvent.objects.order_by("chain", "seq").values_list("resource_id", "seq"))
    assert [r for r, _ in rows] == ["0", "1", "2", "3"]
    assert [s for _, s in rows] == [1, 2, 3, 4]
    assert audit_verify().ok
    _record(actor, 4)  # the head moved past the batch
    assert audit_verify().checked == 5


def test_an_error_in_the_block_leaves_no_event_of_it() -> None:
    actor = make_actor("requester")
    with pytest.raises(ValueError, match="stop"), transaction.atomic(), audit_batch():
        _record(actor, 1)
        raise ValueError("stop")
    _record(actor, 2)
    assert list(AuditEvent.objects.values_list("resource_id", flat=True)) == ["2"]
    assert audit_verify().ok
