"""What a consultation shares of the patient's record, and for how long (docs/adr/0013): the
expert reads the documents filed with the consultation, never the rest of the record, writes
only while the work lasts, and reads nothing once the read-only period after it is over."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from xietong.accounts.tests.factories import PASSWORD
from xietong.consultations import services as s
from xietong.core.errors import Conflict, NotFound
from xietong.patients.models import PatientAccessGrant
from xietong.records.selectors import documents_for_patient, get_document_for
from xietong.records.services import document_upload
from xietong.records.tests.helpers import pdf

from .world import make_world

pytestmark = pytest.mark.django_db


def test_the_expert_reads_what_was_shared_and_only_while_the_work_lasts(settings: Any) -> None:
    settings.XT_SHARED_READ_DAYS = 30
    w = make_world()
    unrelated = document_upload(
        actor=w.requester, patient=w.patient, kind="lab_report", title="旧化验", file=pdf()
    )
    c = w.to("in_progress")
    shared = document_upload(
        actor=w.requester, patient=w.patient, kind="lab_report", title="心电图", file=pdf(),
        source=c.source,
    )  # fmt: skip
    readable = set(documents_for_patient(actor=w.expert_actor, patient=w.patient))
    assert shared in readable and unrelated not in readable
    with pytest.raises(NotFound):
        get_document_for(actor=w.expert_actor, document_uuid=unrelated.uuid)
    # While the work lasts the expert files for it, and only for it.
    document_upload(
        actor=w.expert_actor, patient=w.patient, kind="document", title="会诊笔记", file=pdf(),
        source=c.source,
    )  # fmt: skip
    with pytest.raises(Conflict):  # a party to the consultation only, while it lasts
        document_upload(
            actor=w.expert_actor, patient=w.patient, kind="document", title="x", file=pdf()
        )

    s.consultation_opinion_draft_save(
        actor=w.expert_actor, consultation=c, diagnosis="不稳定型心绞痛", recommendations="造影"
    )
    s.consultation_opinion_sign(actor=w.expert_actor, consultation=c, password=PASSWORD)
    c.refresh_from_db()
    c = s.consultation_acknowledge(actor=w.requester, consultation=c, rating=4)
    assert c.status == "completed"
    grant = PatientAccessGrant.objects.get(source=c.source, user_id=w.expert_actor.user_id)
    assert grant.read_only_until is not None
    assert grant.read_only_until > timezone.now() + dt.timedelta(days=29)
    # Read-only now: what was shared still reads, nothing more is written.
    assert get_document_for(actor=w.expert_actor, document_uuid=shared.uuid) == shared
    with pytest.raises(Conflict):  # a party to the consultation only, while it lasts
        document_upload(
            actor=w.expert_actor, patient=w.patient, kind="document", title="补充", file=pdf(),
            source=c.source,
        )  # fmt: skip
    # A document the county files later, for other care, is not the consultation's.
    later = document_upload(
        actor=w.requester, patient=w.patient, kind="lab_report", title="复查", file=pdf()
    )
    with pytest.raises(NotFound):
        get_document_for(actor=w.expert_actor, document_uuid=later.uuid)

    # After the period, nothing.
    PatientAccessGrant.objects.filter(pk=grant.pk).update(
        read_only_until=timezone.now() - dt.timedelta(seconds=1)
    )
    with pytest.raises(NotFound):
        get_document_for(actor=w.expert_actor, document_uuid=shared.uuid)
