"""The refusal rule (core/errors.py) in referrals: not visible -> 404; a role that may not
start the action at all -> 403; the wrong state or the wrong party -> 409."""

from __future__ import annotations

import pytest

from xietong.core.errors import NotFound, NotPermitted
from xietong.patients.tests.factories import make_patient
from xietong.referrals import services as s

from .test_api import _client
from .test_pages import _client as _page_client
from .world import REQUEST, World, member

pytestmark = pytest.mark.django_db


def test_a_patient_not_visible_is_404_before_the_role_is_asked(world: World) -> None:
    stranger = make_patient(world.outsider)
    desk = member(world.county, "referral_desk")
    with pytest.raises(NotFound):
        s.referral_create(
            actor=desk, patient=stranger, kind="outpatient",
            receiving_institution=world.hospital, slot=world.slot(), reason=REQUEST["reason"],
            clinical_summary=REQUEST["clinical_summary"], diagnosis_code=REQUEST["diagnosis_code"],
            diagnosis_text=REQUEST["diagnosis_text"],
        )  # fmt: skip


def test_a_role_that_never_refers_may_not_start_one(world: World) -> None:
    desk = member(world.county, "referral_desk")
    with pytest.raises(NotPermitted):
        s.referral_create(
            actor=desk, patient=world.patient, kind="outpatient",
            receiving_institution=world.hospital, slot=world.slot(), reason=REQUEST["reason"],
            clinical_summary=REQUEST["clinical_summary"], diagnosis_code=REQUEST["diagnosis_code"],
            diagnosis_text=REQUEST["diagnosis_text"],
        )  # fmt: skip
    page = _page_client(desk).get(f"/referrals/new/?patient={world.patient.uuid}")
    assert page.status_code == 403


def test_a_role_that_never_takes_the_step_is_403(world: World) -> None:
    r = world.to("requested")
    # Accepting is the desk's: a requesting doctor's role never does it.
    answer = _client(world.sender).post(f"/api/v1/referrals/{r.uuid}/accept")
    assert answer.status_code == 403


def test_the_wrong_party_or_state_is_409(world: World) -> None:
    r = world.to("requested")
    # The receiving doctor's role cancels referrals, but only as their sender.
    wrong_party = _client(world.doctor).post(
        f"/api/v1/referrals/{r.uuid}/cancel", {"reason": "误操作"}, content_type="application/json"
    )
    assert wrong_party.status_code == 409
    accepted = _client(world.desk).post(f"/api/v1/referrals/{r.uuid}/accept")
    assert accepted.status_code == 200
    # Accepted already: the desk may accept referrals, but not this one now.
    wrong_state = _client(world.desk).post(f"/api/v1/referrals/{r.uuid}/accept")
    assert wrong_state.status_code == 409


def test_an_institution_not_taking_part_is_404(world: World) -> None:
    r = world.to("requested")
    outsider = _client(member(world.outsider, "referral_desk"))
    assert outsider.post(f"/api/v1/referrals/{r.uuid}/accept").status_code == 404
    assert outsider.get(f"/api/v1/referrals/{r.uuid}").status_code == 404
