from __future__ import annotations

import pytest

from xietong.accounts.tests.factories import make_actor
from xietong.core.errors import NotFound
from xietong.core.models import AuditEvent
from xietong.patients.grants import patient_access_grant, patient_access_revoke
from xietong.patients.selectors import get_patient_for, patient_search
from xietong.patients.tests.factories import institution_of, make_patient

pytestmark = pytest.mark.django_db


def test_granted_expert_sees_the_patient_until_revoked() -> None:
    doctor = make_actor("requester")
    patient = make_patient(institution_of(doctor))
    expert = make_actor("expert")
    with pytest.raises(NotFound):
        get_patient_for(actor=expert, patient_uuid=patient.uuid)

    patient_access_grant(
        actor=doctor, patient=patient, user_id=expert.user_id, source="consultation:1"
    )
    assert get_patient_for(actor=expert, patient_uuid=patient.uuid) == patient
    assert patient_search(actor=expert, resident_id=patient.resident_id) == [patient]

    assert patient_access_revoke(actor=doctor, source="consultation:1") == 1
    with pytest.raises(NotFound):
        get_patient_for(actor=expert, patient_uuid=patient.uuid)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"access.grant", "access.revoke"} <= actions


def test_grant_does_not_reach_the_experts_colleagues() -> None:
    doctor = make_actor("requester")
    patient = make_patient(institution_of(doctor))
    expert = make_actor("expert")
    colleague = make_actor("expert", institution=institution_of(expert))
    patient_access_grant(actor=doctor, patient=patient, user_id=expert.user_id, source="c:2")
    with pytest.raises(NotFound):
        get_patient_for(actor=colleague, patient_uuid=patient.uuid)


def test_grant_needs_a_clinical_role_in_the_membership_acting() -> None:
    doctor = make_actor("requester")
    patient = make_patient(institution_of(doctor))
    lecturer = make_actor("lecturer")
    patient_access_grant(actor=doctor, patient=patient, user_id=lecturer.user_id, source="c:3")
    with pytest.raises(NotFound):
        get_patient_for(actor=lecturer, patient_uuid=patient.uuid)


def test_regranting_reopens_and_revoking_one_user_leaves_others() -> None:
    doctor = make_actor("requester")
    patient = make_patient(institution_of(doctor))
    first, second = make_actor("expert"), make_actor("expert")
    for expert in (first, second):
        patient_access_grant(actor=doctor, patient=patient, user_id=expert.user_id, source="c:4")
    assert patient_access_revoke(actor=doctor, source="c:4", user_id=first.user_id) == 1
    assert get_patient_for(actor=second, patient_uuid=patient.uuid) == patient
    patient_access_grant(actor=doctor, patient=patient, user_id=first.user_id, source="c:4")
    assert get_patient_for(actor=first, patient_uuid=patient.uuid) == patient
