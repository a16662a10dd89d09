from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from xietong.accounts.tests.factories import make_actor
from xietong.core.audit import audit_record
from xietong.core.cards import refused_attempts_card
from xietong.core.models import AuditOutcome
from xietong.directory.tests.factories import InstitutionFactory, RegionFactory

pytestmark = pytest.mark.django_db


def _county(code: str) -> object:
    city = RegionFactory(code=code[:4] + "00", level="city")
    return RegionFactory(code=code, level="county", parent=city)


def test_supervisor_counts_refusals_in_their_region_only() -> None:
    county_a, county_b = _county("410102"), _county("410202")
    doctor_a = make_actor("requester", institution=InstitutionFactory(region=county_a))
    doctor_b = make_actor("requester", institution=InstitutionFactory(region=county_b))
    for actor in (doctor_a, doctor_a, doctor_b):
        audit_record(
            actor=actor,
            action="patient.read",
            resource_type="Patient",
            outcome=AuditOutcome.MINOR_FAILURE,
        )
    audit_record(actor=doctor_a, action="patient.read", resource_type="Patient")  # a success
    supervisor = make_actor("supervisor", institution=InstitutionFactory(region=county_a))

    [card] = refused_attempts_card(RequestFactory().get("/"), supervisor)

    assert card.count == 2
    assert "outcome=4" in card.url


def test_doctors_get_no_such_card() -> None:
    doctor = make_actor("requester")
    assert refused_attempts_card(RequestFactory().get("/"), doctor) == []


def test_card_is_on_the_supervisors_home_page(client: Client) -> None:
    from xietong.accounts.models import User

    supervisor = make_actor("supervisor")
    client.force_login(User.objects.get(pk=supervisor.user_id))
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Refused or failed actions, last 7 days" in page
