from __future__ import annotations

import pytest

from xietong.accounts.tests.factories import make_actor
from xietong.core.errors import NotFound
from xietong.core.models import AuditEvent, AuditOutcome
from xietong.patients.grants import patient_access_grant, patient_access_revoke
from xietong.patients.tests.factories import institution_of, make_patient
from xietong.records.selectors import (
    document_file_bytes,
    documents_for_patient,
    documents_for_source,
    get_document_for,
)
from xietong.records.services import document_upload
from xietong.records.tests.helpers import pdf, pdf_bytes

pytestmark = pytest.mark.django_db


def test_named_grant_gives_the_expert_the_documents_until_revoked() -> None:
    doctor = make_actor("requester")
    patient = make_patient(institution_of(doctor))
    document = document_upload(
        actor=doctor, patient=patient, kind="lab_report", title="血常规", file=pdf(),
        source="consultation:7",
    )  # fmt: skip
    expert = make_actor("expert")
    with pytest.raises(NotFound):
        get_document_for(actor=expert, document_uuid=document.uuid)
    assert list(documents_for_source(actor=expert, source="consultation:7")) == []

    patient_access_grant(
        actor=doctor, patient=patient, user_id=expert.user_id, source="consultation:7"
    )
    assert get_document_for(actor=expert, document_uuid=document.uuid) == document
    assert list(documents_for_source(actor=expert, source="consultation:7")) == [document]
    assert list(documents_for_patient(actor=expert, patient=patient)) == [document]
    assert document_file_bytes(actor=expert, document_uuid=document.uuid) == pdf_bytes()
    # The expert may file their own documents to the consultation.
    own = document_upload(
        actor=expert, patient=patient, kind="consult_opinion", title="会诊意见", file=pdf(),
        source="consultation:7",
    )  # fmt: skip
    assert own.institution_id == expert.institution_id

    patient_access_revoke(actor=doctor, source="consultation:7")
    with pytest.raises(NotFound):
        get_document_for(actor=expert, document_uuid=document.uuid)
    assert list(documents_for_source(actor=expert, source="consultation:7")) == []
    assert list(documents_for_patient(actor=expert, patient=patient)) == []
    with pytest.raises(NotFound):
        document_upload(actor=expert, patient=patient, kind="document", title="x", file=pdf())


def test_reads_and_refusals_are_audited_with_the_patient() -> None:
    doctor = make_actor("requester")
    patient = make_patient(institution_of(doctor))
    document = document_upload(
        actor=doctor, patient=patient, kind="document", title="病历", file=pdf()
    )
    get_document_for(actor=doctor, document_uuid=document.uuid)
    stranger = make_actor("requester")
    with pytest.raises(NotFound):
        get_document_for(actor=stranger, document_uuid=document.uuid)
    with pytest.raises(NotFound):
        get_document_for(actor=stranger, document_uuid="not-a-uuid")
    reads = AuditEvent.objects.filter(
        action="document_reference.read", resource_type="DocumentReference"
    )
    assert reads.filter(outcome=AuditOutcome.SUCCESS, patient_id=patient.pk).count() == 1
    assert reads.filter(outcome=AuditOutcome.MINOR_FAILURE, patient_id=patient.pk).count() == 1
    assert reads.filter(outcome=AuditOutcome.MINOR_FAILURE, patient_id=None).count() == 1


def test_source_lists_only_that_workflow_objects_documents() -> None:
    doctor = make_actor("requester")
    patient = make_patient(institution_of(doctor))
    mine = document_upload(
        actor=doctor, patient=patient, kind="document", title="a", file=pdf(), source="referral:1"
    )
    document_upload(
        actor=doctor, patient=patient, kind="document", title="b", file=pdf(), source="referral:2"
    )
    document_upload(actor=doctor, patient=patient, kind="document", title="c", file=pdf())
    assert list(documents_for_source(actor=doctor, source="referral:1")) == [mine]
