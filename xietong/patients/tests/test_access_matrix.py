"""Who sees a patient registered at county A's hospital, cell by cell.

The province has two cities; county A (with a township) lies in the first, county B in the
second; a provincial hospital sits at the top. Only county A's hospital cares for the patient,
so only its clinical members see them: neighbours, the township below, the provincial expert
(no consultation yet), supervisors and the platform administrator all meet a 404 or an empty
list, and every refusal is in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xietong.accounts.actors import actor_for_membership
from xietong.accounts.models import Membership, User
from xietong.accounts.tests.factories import MembershipFactory
from xietong.accounts.tokens import api_token_issue
from xietong.core.models import AuditEvent
from xietong.directory.models import Institution, Region
from xietong.directory.tests.factories import RegionFactory
from xietong.patients.models import Consent, Patient
from xietong.patients.services import consent_record, patient_register
from xietong.patients.tests.factories import an_institution, pdf_bytes, upload

pytestmark = pytest.mark.django_db

RESIDENT_ID = "410122198001010021"  # a woman from county A (410122)
SEES = "sees"
REFUSED = "refused"

# Who is asking: (role, institution key); and whether they see the patient.
ACTORS: dict[str, tuple[str, str, str]] = {
    "county_a_doctor": ("requester", "county_a", SEES),
    "county_a_institution_admin": ("institution_admin", "county_a", SEES),
    "county_b_doctor": ("requester", "county_b", REFUSED),
    "township_a_doctor": ("requester", "township_a", REFUSED),
    "provincial_expert": ("expert", "provincial", REFUSED),
    "county_a_supervisor": ("supervisor", "county_a_authority", REFUSED),
    # The roles, not the place, keep these two out: both act at county A's own hospital.
    "supervisor_at_county_a_hospital": ("supervisor", "county_a", REFUSED),
    "platform_admin": ("platform_admin", "county_a", REFUSED),
}


@dataclass
class World:
    patient: Patient
    consent: Consent
    members: dict[str, Membership]


def _region(code: str, level: str, parent: Region | None) -> Region:
    return cast(Region, RegionFactory(code=code, name=code, level=level, parent=parent))


@pytest.fixture
def world() -> World:
    province = _region("410000", "province", None)
    city_1 = _region("410100", "city", province)
    city_2 = _region("410200", "city", province)
    county_a = _region("410122", "county", city_1)
    county_b = _region("410221", "county", city_2)
    township_a = _region("410122100", "township", county_a)
    places: dict[str, Institution] = {
        "provincial": an_institution(level="provincial", region=province, grade="3A"),
        "county_a": an_institution(level="county", region=county_a),
        "county_b": an_institution(level="county", region=county_b),
        "township_a": an_institution(level="township", kind="health_centre", region=township_a),
        "county_a_authority": an_institution(level="county", kind="authority", region=county_a),
    }
    members = {
        name: cast(Membership, MembershipFactory(roles=[role], institution=places[place]))
        for name, (role, place, _) in ACTORS.items()
    }
    doctor = actor_for_membership(members["county_a_doctor"])
    patient, _ = patient_register(actor=doctor, name="王芳", resident_id=RESIDENT_ID)
    consent = consent_record(
        actor=doctor, patient=patient, kind="telemedicine", signed_on=timezone.localdate(),
        signed_by="王芳", relationship="self", scan=upload(pdf_bytes()),
    )  # fmt: skip
    return World(patient, consent, members)


def _browser(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _api(member: Membership) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(membership=member)[1]}")


def _username(member: Membership) -> str:
    return cast(User, member.user).username


def _refusals(member: Membership, **filters: Any) -> int:
    return AuditEvent.objects.filter(username=_username(member), outcome=4, **filters).count()


CASES = sorted(ACTORS)


@pytest.mark.parametrize("who", CASES)
def test_detail_page(world: World, who: str) -> None:
    member = world.members[who]
    response = _browser(member).get(reverse("patients:detail", args=[world.patient.uuid]))
    if ACTORS[who][2] == SEES:
        assert response.status_code == 200
        assert RESIDENT_ID in response.content.decode()
    else:
        assert response.status_code == 404
        assert RESIDENT_ID not in response.content.decode()
        assert _refusals(member, action="patient.read", patient_id=world.patient.pk) == 1


@pytest.mark.parametrize("who", CASES)
def test_detail_api(world: World, who: str) -> None:
    member = world.members[who]
    response = _api(member).get(f"/api/v1/patients/{world.patient.uuid}")
    if ACTORS[who][2] == SEES:
        assert response.status_code == 200
        assert response.json()["resident_id"] == RESIDENT_ID
    else:
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert _refusals(member, action="patient.read", patient_id=world.patient.pk) == 1


def _search_was_recorded_empty(member: Membership) -> bool:
    event = AuditEvent.objects.filter(username=_username(member), action="patient.search").last()
    return event is not None and (event.outcome == 4 or event.detail.get("count") == 0)


@pytest.mark.parametrize("who", CASES)
def test_search_page(world: World, who: str) -> None:
    member = world.members[who]
    response = _browser(member).get(reverse("patients:search"), {"q": RESIDENT_ID})
    page = response.content.decode()
    if ACTORS[who][2] == SEES:
        assert response.status_code == 200
        assert "王芳" in page and "410122********0021" in page
    else:
        assert response.status_code in (200, 403)
        assert "王芳" not in page and "410122********0021" not in page
        assert _search_was_recorded_empty(member)


@pytest.mark.parametrize("who", CASES)
def test_search_api(world: World, who: str) -> None:
    member = world.members[who]
    for params in ({"q": "王芳"}, {"resident_id": RESIDENT_ID}, {"q": RESIDENT_ID}):
        response = _api(member).get("/api/v1/patients", params)
        assert response.status_code == 200
        found = [p["uuid"] for p in response.json()]
        assert found == ([str(world.patient.uuid)] if ACTORS[who][2] == SEES else [])
    if ACTORS[who][2] == REFUSED:
        assert _search_was_recorded_empty(member)


@pytest.mark.parametrize("who", CASES)
def test_consent_scan_download(world: World, who: str) -> None:
    member = world.members[who]
    url = reverse("patients:consent_scan", args=[world.patient.uuid, world.consent.uuid])
    response = _browser(member).get(url)
    if ACTORS[who][2] == SEES:
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
    else:
        assert response.status_code == 404
        assert (
            _refusals(
                member, action="consent.read", resource_type="Consent", patient_id=world.patient.pk
            )
            == 1
        )


def test_matrix_covers_every_actor_the_issue_names() -> None:
    assert set(ACTORS) >= {
        "county_a_doctor", "county_b_doctor", "township_a_doctor", "provincial_expert",
        "county_a_supervisor", "platform_admin", "county_a_institution_admin",
    }  # fmt: skip
    assert [who for who, (_, _, sees) in ACTORS.items() if sees == SEES] == [
        "county_a_doctor",
        "county_a_institution_admin",
    ]


# Those who may register patients elsewhere: typing the resident ID must not let them in.
REGISTRARS_ELSEWHERE = ["county_b_doctor", "township_a_doctor", "provincial_expert"]


@pytest.mark.parametrize("name", ["王芳", "李四"])
@pytest.mark.parametrize("who", REGISTRARS_ELSEWHERE)
def test_registering_the_resident_id_opens_nothing(world: World, who: str, name: str) -> None:
    member = world.members[who]
    api = _api(member)
    answer = api.post(
        "/api/v1/patients", {"name": name, "resident_id": RESIDENT_ID},
        content_type="application/json",
    )  # fmt: skip
    assert answer.status_code in (200, 201)
    body = answer.json()
    # Joined only under the same identity; a mismatch is a record of its own.
    assert body["known_elsewhere"] is (name == "王芳")
    assert (body["patient"]["uuid"] == str(world.patient.uuid)) is (name == "王芳")
    # Either way county A's consent scan stays closed to them, on the page and the API.
    url = reverse("patients:consent_scan", args=[world.patient.uuid, world.consent.uuid])
    assert _browser(member).get(url).status_code == 404
    detail = api.get(f"/api/v1/patients/{world.patient.uuid}")
    if name == "王芳":
        assert detail.status_code == 200 and detail.json()["consents"] == []
    else:
        assert detail.status_code == 404
