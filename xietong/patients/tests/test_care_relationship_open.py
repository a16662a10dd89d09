"""An institution taking part in work about a patient gets a care relationship through the
patients app's service, audited as a grant (xietong/patients/grants.py)."""

from __future__ import annotations

from xietong.accounts.tests.factories import make_actor
from xietong.core.models import AuditEvent
from xietong.patients.access import patient_visible_to
from xietong.patients.grants import care_relationship_open
from xietong.patients.models import CareReason, CareRelationship
from xietong.patients.tests.factories import an_institution, make_patient


def test_opening_a_care_relationship_lets_the_institution_see_the_patient(db: None) -> None:
    doctor = make_actor("requester")
    centre = an_institution()
    centre_doctor = make_actor("requester", institution=centre)
    patient = make_patient(an_institution())
    assert not patient_visible_to(centre_doctor, patient)

    opened = care_relationship_open(
        actor=doctor,
        patient=patient,
        institution_id=centre.pk,
        reason=CareReason.CONSULTATION,
        source="consultation:abc",
    )

    assert opened
    assert patient_visible_to(centre_doctor, patient)
    grant = AuditEvent.objects.get(action="access.grant", patient_id=patient.pk)
    assert grant.user_id == doctor.user_id
    assert grant.resource_id == str(patient.uuid)
    assert grant.detail == {
        "institution_id": centre.pk,
        "reason": "consultation",
        "source": "consultation:abc",
    }


def test_an_existing_care_relationship_is_kept_as_it_is_and_not_audited_again(db: None) -> None:
    patient = make_patient(an_institution())
    centre = an_institution()
    CareRelationship.objects.create(
        patient=patient, institution=centre, reason=CareReason.REGISTERED
    )
    opened = care_relationship_open(
        actor=None,
        patient=patient,
        institution_id=centre.pk,
        reason=CareReason.REFERRAL,
        source="referral:abc",
    )
    assert not opened
    kept = CareRelationship.objects.get(patient=patient, institution=centre)
    assert kept.reason == CareReason.REGISTERED
    assert not AuditEvent.objects.filter(action="access.grant").exists()
