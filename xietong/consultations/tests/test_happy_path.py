"""One consultation from the request to the rating, as the three people live it."""

from __future__ import annotations

from typing import Any

import pytest

from xietong.consultations.models import Consultation, ConsultationEvent, Opinion, Status
from xietong.consultations.selectors import get_consultation_for
from xietong.consultations.services import (
    consultation_acknowledge,
    consultation_expert_accept,
    consultation_opinion_draft_save,
    consultation_opinion_sign,
    consultation_schedule,
)
from xietong.core.models import AuditEvent
from xietong.notifications.models import Notification
from xietong.patients.models import CareRelationship

from .world import World, a_slot, member

pytestmark = pytest.mark.django_db


def test_the_whole_flow_notifies_someone_at_every_step(world: World) -> None:
    c = world.to("in_progress")
    consultation_opinion_draft_save(
        actor=world.expert_actor,
        consultation=c,
        diagnosis="不稳定型心绞痛",
        recommendations="冠脉造影",
    )
    opinion = consultation_opinion_sign(
        actor=world.expert_actor, consultation=c, password="Correct-Horse-42"
    )
    assert opinion.is_signed and len(opinion.content_hash) == 64
    c = consultation_acknowledge(actor=world.requester, consultation=c, rating=5, comment="很好")
    assert c.status == Status.COMPLETED and c.rating == 5
    assert c.number.startswith("HZ-") and len(c.number) == len("HZ-20261122-0001")

    actions = list(c.events.values_list("action", flat=True))
    assert actions == [
        "create",
        "submit",
        "qc_pass",
        "triage_assign",
        "expert_accept",
        "all_accepted",
        "start",
        "opinion_save",
        "opinion_sign",
        "acknowledge",
    ]
    # Every transition that changes the state tells someone.
    for event in ConsultationEvent.objects.filter(consultation=c).exclude(
        action__in=["create", "opinion_save"]
    ):
        assert event.notified, event.action
    assert AuditEvent.objects.filter(
        action="consultation.acknowledge", resource_id=str(c.uuid)
    ).exists()
    assert CareRelationship.objects.filter(
        patient=world.patient, institution=world.centre, reason="consultation"
    ).exists()
    assert Opinion.objects.filter(consultation=c).count() == 1
    seen = get_consultation_for(actor=world.requester, consultation_uuid=c.uuid)
    assert seen.status == Status.COMPLETED


def test_the_parties_find_notifications_in_the_app(world: World) -> None:
    from xietong.notifications.models import Notification

    c = world.to("assigned")
    told = Notification.objects.filter(subject_type="consultation", subject_id=str(c.uuid))
    assert told.filter(recipient_id=world.qc.user_id, kind="consultation.submit").exists()
    assert told.filter(recipient_id=world.coordinator.user_id, kind="consultation.qc_pass").exists()
    assert told.filter(
        recipient_id=world.expert_actor.user_id, kind="consultation.triage_assign"
    ).exists()
    # Nobody is told about their own action.
    assert not told.filter(
        recipient_id=world.requester.user_id, kind="consultation.submit"
    ).exists()


def test_the_signed_opinion_is_filed_to_the_records_as_pdf(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from xietong.records.selectors import documents_for_source

    c = world.to("in_progress")
    consultation_opinion_draft_save(
        actor=world.expert_actor,
        consultation=c,
        diagnosis="不稳定型心绞痛",
        recommendations="冠脉造影",
    )
    with django_capture_on_commit_callbacks(execute=True):
        opinion = consultation_opinion_sign(
            actor=world.expert_actor, consultation=c, password="Correct-Horse-42"
        )
    opinion.refresh_from_db()
    documents = list(documents_for_source(actor=world.requester, source=c.source))
    assert len(documents) == 1
    document = documents[0]
    assert document.kind == "consult_opinion" and document.uuid == opinion.document_uuid
    assert c.number in document.title


def _told(c: Consultation, recipient: int) -> list[tuple[str, str]]:
    rows = Notification.objects.filter(
        subject_type="consultation", subject_id=str(c.uuid), recipient_id=recipient
    ).order_by("id")
    return [(n.kind, n.title) for n in rows]


def test_the_last_expert_s_accept_tells_each_coordinator_once(world: World) -> None:
    c = world.to("assigned")
    second = member(world.centre, "coordinator")
    consultation_expert_accept(actor=world.expert_actor, consultation=c)
    requester_told = dict(_told(c, world.requester.user_id))
    accepted = requester_told["consultation.all_accepted"]  # "Consultation accepted"
    for coordinator in (world.coordinator, second):
        about_accepting = [t for t in _told(c, coordinator.user_id) if "accept" in t[0]]
        assert about_accepting == [("consultation.expert_accept", accepted)]


def test_a_booking_tells_those_who_attend_not_the_coordinators_desk(world: World) -> None:
    c = world.to("accepted", mode="realtime")
    second = member(world.centre, "coordinator")
    consultation_schedule(actor=world.coordinator, consultation=c, slot=a_slot(world))
    kinds = {who: {k for k, _ in _told(c, who.user_id)} for who in (world.requester, second)}
    assert "consultation.schedule" in kinds[world.requester]
    assert "consultation.schedule" in {k for k, _ in _told(c, world.expert_actor.user_id)}
    assert "consultation.schedule" not in kinds[second]
