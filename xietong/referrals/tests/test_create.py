"""An up-referral: booked into a slot with the link, the consent and the criteria checked;
refused with a clear reason (and nothing kept) when one of them fails."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xietong.core.audit import AuditEvent
from xietong.core.errors import NotFound, NotPermitted, ValidationFailed
from xietong.notifications.models import Notification, OutboxMessage
from xietong.patients.models import CareRelationship, Consent
from xietong.referrals.models import Referral, ReferralCriterion, ReferralEvent
from xietong.referrals.selectors import criteria_unmet_counts
from xietong.scheduling.models import Booking, BookingStatus, SlotStatus
from xietong.scheduling.services import SlotTaken

from .world import World, member

pytestmark = pytest.mark.django_db


def _errors(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {k: " ".join(str(m) for m in v) for k, v in exc.value.fields.items()}


def test_a_referral_books_its_slot_as_a_referral(world: World) -> None:
    slot = world.slot(capacity=2, reserved=1)
    r = world.request(slot=slot)
    assert r.status == "requested"
    assert r.number.startswith("ZZ-")
    booking = Booking.objects.get(subject_type="referral", subject_id=r.uuid)
    assert (booking.subject_type, booking.subject_id) == ("referral", r.uuid)
    assert booking.via_referral and booking.status == BookingStatus.BOOKED
    assert r.slot_start == slot.start
    assert CareRelationship.objects.filter(patient=world.patient, institution=world.hospital)
    assert Notification.objects.filter(recipient_id=world.desk.user_id, kind="referral.create")
    assert AuditEvent.objects.filter(action="referral.create", resource_id=str(r.uuid)).exists()
    assert ReferralEvent.objects.filter(referral=r, action="create").exists()


def test_no_collaboration_link_is_refused(world: World) -> None:
    from xietong.scheduling.tests.factories import make_schedule, make_slot

    slot = make_slot(make_schedule(world.outsider))
    with pytest.raises(ValidationFailed) as exc:
        world.request(receiving_institution=world.outsider, slot=slot)
    assert "没有转诊协作关系" in _errors(exc)["receiving_institution"]
    assert not Referral.objects.exists() and not Booking.objects.exists()


def test_a_slot_in_the_past_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed) as exc:
        world.request(slot=world.slot(in_hours=-2))
    assert "该时段已过" in _errors(exc)["slot"]
    assert not Referral.objects.exists()


def test_a_slot_of_another_kind_or_institution_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed) as exc:
        world.request(kind="examination", slot=world.slot())
    assert "不适用于此类转诊" in _errors(exc)["slot"]


def test_consent_is_required(world: World) -> None:
    Consent.objects.all().update(status="inactive")
    with pytest.raises(ValidationFailed) as exc:
        world.request()
    assert "consent" in _errors(exc)
    assert not Booking.objects.exists()


def test_every_bad_field_is_reported_at_once(world: World) -> None:
    with pytest.raises(ValidationFailed) as exc:
        world.request(reason="", diagnosis_code="chest pain", kind="transfer")
    assert {"reason", "diagnosis_code", "kind"} <= set(exc.value.fields)


def test_a_full_slot_offers_the_next_free_ones_and_keeps_nothing(world: World) -> None:
    full = world.slot(capacity=1, booked=1)
    world.slot()
    with pytest.raises(SlotTaken) as exc:
        world.request(slot=full)
    assert exc.value.status == 409
    assert len(exc.value.alternatives) == 1
    assert not Referral.objects.exists()
    full.refresh_from_db()
    assert full.booked_count == 1 and full.status == SlotStatus.FREE


def test_only_a_doctor_refers(world: World) -> None:
    with pytest.raises(NotPermitted):
        from xietong.referrals.services import referral_create

        referral_create(
            actor=member(world.county, "referral_desk"),
            patient=world.patient,
            kind="outpatient",
            receiving_institution=world.hospital,
            reason="x",
            clinical_summary="x",
            diagnosis_code="I20.0",
            diagnosis_text="x",
            slot=world.slot(),
        )


def test_a_patient_the_sender_cannot_see_is_not_found(world: World) -> None:
    from xietong.patients.tests.factories import make_patient

    stranger = make_patient(world.outsider)
    with pytest.raises(NotFound):
        world.request(patient=stranger)


def test_criteria_not_met_warns_asks_for_a_justification_and_counts(world: World) -> None:
    ReferralCriterion.objects.create(
        disease_group="冠心病", icd_from="I20", icd_to="I25", sending_level="county"
    )
    met = world.request(diagnosis_code="I21.4")
    assert met.criteria_met and met.criteria_group == "冠心病"
    with pytest.raises(ValidationFailed) as exc:
        world.request(diagnosis_code="J18.9", diagnosis_text="肺炎")
    assert "转诊标准" in _errors(exc)["justification"]
    r = world.request(diagnosis_code="J18.9", diagnosis_text="肺炎", justification="基层无CT")
    assert not r.criteria_met and r.justification == "基层无CT"
    supervisor = member(world.county, "supervisor")
    assert criteria_unmet_counts(actor=supervisor) == [
        {"institution": world.county.name, "count": 1}
    ]
    assert criteria_unmet_counts(actor=world.sender) == []


def test_green_channel_needs_no_slot_and_alerts_the_desk_at_once(world: World) -> None:
    r = world.request(urgency="emergency")
    assert r.booking_uuid is None and r.green_channel
    assert r.ack_by is not None
    assert abs((r.ack_by - timezone.now()) - dt.timedelta(minutes=15)) < dt.timedelta(minutes=1)
    told = Notification.objects.get(recipient_id=world.desk.user_id)
    assert told.kind == "referral.green_channel"


def test_a_routine_referral_needs_a_slot(world: World) -> None:
    with pytest.raises(ValidationFailed) as exc:
        world.request(slot=None)
    assert "slot" in exc.value.fields
    assert not OutboxMessage.objects.exists()


def test_an_unknown_consultation_is_refused(world: World) -> None:
    import uuid

    with pytest.raises(ValidationFailed) as exc:
        world.request(consultation_uuid=uuid.uuid4())
    assert "consultation" in exc.value.fields


def test_the_consultation_that_advised_it_is_linked() -> None:
    from xietong.consultations.tests.world import make_world as consultation_world
    from xietong.directory.tests.factories import CollaborationLinkFactory
    from xietong.referrals.services import referral_create
    from xietong.scheduling.tests.factories import make_schedule, make_slot

    cw = consultation_world()
    c = cw.draft()
    CollaborationLinkFactory(provider=cw.hospital, client=cw.county, service="referral")
    slot = make_slot(make_schedule(cw.hospital))
    r = referral_create(
        actor=cw.requester, patient=cw.patient, kind="outpatient",
        receiving_institution=cw.hospital, slot=slot, consultation_uuid=c.uuid,
        reason="会诊建议转诊", clinical_summary="见会诊意见", diagnosis_code="I20.0",
        diagnosis_text="不稳定型心绞痛",
    )  # fmt: skip
    assert r.consultation_uuid == c.uuid
