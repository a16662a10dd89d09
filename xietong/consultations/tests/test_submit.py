"""Drafts save without consent; submitting lists every missing part at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from xietong.consultations.models import Consultation, Status
from xietong.consultations.services import (
    consultation_create,
    consultation_submit,
    consultation_update,
)
from xietong.core.errors import NotFound, ValidationFailed
from xietong.patients.tests.factories import make_patient

from .world import World, add_consent, make_world

pytestmark = pytest.mark.django_db


def test_an_empty_draft_saves_and_submitting_lists_every_missing_part() -> None:
    world = make_world(consent=False)
    c = consultation_create(actor=world.requester, patient=world.patient, mode="realtime")
    assert c.status == Status.DRAFT and c.centre == world.centre
    with pytest.raises(ValidationFailed) as failed:
        consultation_submit(actor=world.requester, consultation=c)
    assert set(failed.value.fields) == {
        "reason",
        "purpose",
        "chief_complaint",
        "present_illness",
        "diagnosis_text",
        "wanted_department",
        "wanted_title",
        "preferred_times",
        "consent",
    }
    assert Consultation.objects.get(pk=c.pk).status == Status.DRAFT


def test_consent_is_the_only_thing_missing_then_on_file() -> None:
    world = make_world(consent=False)
    c = world.draft()
    with pytest.raises(ValidationFailed) as failed:
        consultation_submit(actor=world.requester, consultation=c)
    assert list(failed.value.fields) == ["consent"]
    add_consent(world.patient, world.county, world.requester.user_id)
    c = consultation_submit(actor=world.requester, consultation=c)
    assert c.status == Status.SUBMITTED
    # Routine: accepted within 24 hours, answered within 72.
    assert c.accept_by and c.answer_by and c.submitted_at
    assert round((c.answer_by - c.submitted_at).total_seconds() / 3600) == 72


def test_emergency_deadlines_are_minutes(world: World) -> None:
    c = consultation_submit(actor=world.requester, consultation=world.draft(urgency="emergency"))
    assert c.accept_by and c.answer_by
    assert round((c.accept_by - timezone.now()).total_seconds() / 60) == 30
    assert round((c.answer_by - timezone.now()).total_seconds() / 60) == 120


def test_deadlines_follow_settings_per_kind(world: World, settings: Any) -> None:
    settings.XT_CONSULTATION_DEADLINES = {"ecg:routine": (60, 240)}
    c = consultation_submit(actor=world.requester, consultation=world.draft(kind="ecg"))
    assert c.answer_by
    assert round((c.answer_by - timezone.now()).total_seconds() / 60) == 240


def test_malformed_input_is_refused_and_changes_nothing(world: World) -> None:
    c = world.draft()
    with pytest.raises(ValidationFailed) as failed:
        consultation_update(
            actor=world.requester,
            consultation=c,
            urgency="whenever",
            diagnosis_code="chest pain",
            wanted_department="nope",
        )
    assert set(failed.value.fields) == {"urgency", "diagnosis_code", "wanted_department"}
    fresh = Consultation.objects.get(pk=c.pk)
    assert fresh.urgency == "routine" and fresh.diagnosis_code == "I20.0"


def test_numbers_are_unique_and_dated(world: World) -> None:
    numbers = {world.draft().number for _ in range(3)}
    assert len(numbers) == 3
    assert all(n.startswith(f"HZ-{timezone.localdate():%Y%m%d}-") for n in numbers)


def test_a_doctor_cannot_ask_about_a_patient_they_cannot_see(world: World) -> None:
    other = make_patient(world.hospital)
    with pytest.raises(NotFound):
        consultation_create(actor=world.requester, patient=other)


def test_no_centre_serves_the_institution() -> None:
    world = make_world()
    from xietong.directory.models import CollaborationLink

    CollaborationLink.objects.all().delete()
    with pytest.raises(ValidationFailed) as failed:
        world.draft()
    assert "__all__" in failed.value.fields
