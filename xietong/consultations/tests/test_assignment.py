"""Triage, the expert's answer, the patient access that goes with it, and direct picks."""

from __future__ import annotations

import pytest

from xietong.consultations.models import AssignmentStatus, CentreSettings, Status
from xietong.consultations.services import (
    consultation_expert_decline,
    consultation_qc_pass,
    consultation_submit,
    consultation_triage_assign,
)
from xietong.core.errors import NotFound, ValidationFailed
from xietong.patients.access import patient_visible_to

from .world import World

pytestmark = pytest.mark.django_db


def test_assignment_grants_and_declining_revokes_the_patient(world: World) -> None:
    c = world.to("triage")
    assert not patient_visible_to(world.expert_actor, world.patient)
    consultation_triage_assign(actor=world.coordinator, consultation=c, experts=[world.expert])
    assert patient_visible_to(world.expert_actor, world.patient)
    with pytest.raises(ValidationFailed):
        consultation_expert_decline(actor=world.expert_actor, consultation=c, reason="  ")
    c = consultation_expert_decline(actor=world.expert_actor, consultation=c, reason="本周出差")
    assert c.status == Status.TRIAGE
    assert c.assignments.get().status == AssignmentStatus.DECLINED
    assert c.assignments.get().decline_reason == "本周出差"
    assert not patient_visible_to(world.expert_actor, world.patient)
    # Gone from their sight: the declined expert meets NotFound.
    with pytest.raises(NotFound):
        consultation_expert_decline(actor=world.expert_actor, consultation=c, reason="x")
    # Triage again with another expert.
    other, _other_actor = world.more_expert()
    c = consultation_triage_assign(actor=world.coordinator, consultation=c, experts=[other])
    assert c.status == Status.ASSIGNED


def test_triage_refuses_bad_choices(world: World) -> None:
    c = world.to("triage")
    other, _a = world.more_expert()
    other.active = False
    other.save()
    for experts, field in (
        ([], "experts"),
        ([world.expert, other], "experts"),
        ([other], "experts"),
    ):
        with pytest.raises(ValidationFailed) as failed:
            consultation_triage_assign(actor=world.coordinator, consultation=c, experts=experts)
        assert field in failed.value.fields
    assert c.assignments.count() == 0


def test_mdt_needs_two_experts_and_one_lead(world: World) -> None:
    c = world.to("triage", kind="mdt")
    second, _a = world.more_expert()
    with pytest.raises(ValidationFailed) as failed:
        consultation_triage_assign(actor=world.coordinator, consultation=c, experts=[world.expert])
    assert set(failed.value.fields) == {"experts", "lead"}
    c = consultation_triage_assign(
        actor=world.coordinator, consultation=c, experts=[world.expert, second], lead=second
    )
    assert c.assignments.get(lead=True).expert == second


def test_a_centre_may_let_requesters_pick_the_expert(world: World) -> None:
    CentreSettings.objects.create(centre=world.centre, direct_expert_pick=True)
    c = world.draft(preferred_target="expert", preferred_expert=str(world.expert.practitioner.uuid))
    c = consultation_submit(actor=world.requester, consultation=c)
    c = consultation_qc_pass(actor=world.qc, consultation=c)
    assert c.status == Status.ASSIGNED
    assert c.assignments.get().expert == world.expert
    assert list(c.events.values_list("action", flat=True))[-2:] == ["qc_pass", "direct_assign"]


def test_without_the_setting_the_preferred_expert_goes_through_triage(world: World) -> None:
    c = world.draft(preferred_target="expert", preferred_expert=str(world.expert.practitioner.uuid))
    c = consultation_qc_pass(
        actor=world.qc, consultation=consultation_submit(actor=world.requester, consultation=c)
    )
    assert c.status == Status.TRIAGE


def test_booking_takes_the_slot_and_cancelling_frees_it(world: World) -> None:
    from xietong.consultations.services import (
        consultation_cancel,
        consultation_reschedule,
        consultation_schedule,
    )
    from xietong.core.errors import Conflict
    from xietong.scheduling.models import Slot

    from .world import a_slot

    c = world.to("accepted", mode="realtime")
    slot = a_slot(world)
    c = consultation_schedule(actor=world.coordinator, consultation=c, slot=slot, room="会诊室3")
    assert (c.status, c.scheduled_start, c.room) == (Status.SCHEDULED, slot.start, "会诊室3")
    assert Slot.objects.get(pk=slot.pk).booked_count == 1
    # Another consultation cannot take the same place.
    other = world.to("accepted", mode="realtime")
    with pytest.raises(Conflict):
        consultation_schedule(actor=world.coordinator, consultation=other, slot=slot)
    assert other.__class__.objects.get(pk=other.pk).status == Status.ACCEPTED
    later = a_slot(world, in_hours=72)
    c = consultation_reschedule(actor=world.coordinator, consultation=c, slot=later)
    assert Slot.objects.get(pk=slot.pk).booked_count == 0
    assert Slot.objects.get(pk=later.pk).booked_count == 1
    consultation_cancel(actor=world.requester, consultation=c, reason="患者病情好转")
    assert Slot.objects.get(pk=later.pk).booked_count == 0
