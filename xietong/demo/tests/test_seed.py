"""The demo province in the database: logins, their institutions, idempotence."""

from __future__ import annotations

import pytest

from xietong.accounts.models import Membership, User
from xietong.demo import seed as seed_module
from xietong.demo.logins import DEMO_PASSWORD
from xietong.demo.seed import DemoSeedError, demo_seed
from xietong.directory.models import CollaborationLink, DicomNode, Expert, Institution, Region
from xietong.directory.selectors import dicom_node_for
from xietong.patients.models import CareRelationship, Patient
from xietong.patients.residentid import resident_id_parse

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (
        Region.objects.count(),
        Institution.objects.count(),
        CollaborationLink.objects.count(),
        Expert.objects.count(),
        Patient.objects.count(),
        User.objects.count(),
    )


def _membership(username: str) -> Membership:
    return Membership.objects.select_related("institution__region").get(user__username=username)


def test_small_province_with_its_logins() -> None:
    assert demo_seed(seed=20261122, scale="small") is True
    assert Region.objects.get(code="410000").name == "河南省"
    assert Patient.objects.count() == 300
    assert CareRelationship.objects.filter(reason="registered").count() == 300
    for patient in Patient.objects.select_related("registered_by__region"):
        assert (
            resident_id_parse(patient.resident_id or "").area_code
            == (patient.registered_by.region.path.split("/")[2])
        )
    expected = {
        "doctor_county": ("requester", "county", "hospital"),
        "doctor_county2": ("requester", "county", "hospital"),
        "doctor_township": ("requester", "township", "health_centre"),
        "coordinator": ("coordinator", "provincial", "telemedicine_centre"),
        "qc": ("qc", "provincial", "telemedicine_centre"),
        "referral_desk": ("referral_desk", "provincial", "hospital"),
        "supervisor_province": ("supervisor", "provincial", "authority"),
        "supervisor_county": ("supervisor", "county", "authority"),
        "admin": ("platform_admin", "provincial", "telemedicine_centre"),
        "learner": ("learner", "village", "clinic"),
        "lecturer": ("lecturer", "provincial", "hospital"),
        "pharmacist": ("pharmacist", "county", "hospital"),
        "reader": ("expert", "municipal", "telemedicine_centre"),
        "reader_senior": ("expert", "municipal", "telemedicine_centre"),
    }
    for username, (role, level, kind) in expected.items():
        m = _membership(username)
        assert m.roles == [role], username
        assert (m.institution.level, m.institution.kind) == (level, kind), username
        assert m.user.check_password(DEMO_PASSWORD)
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser


def test_county_doctors_work_in_different_counties_of_different_cities() -> None:
    demo_seed(scale="small")
    one, two = _membership("doctor_county"), _membership("doctor_county2")
    assert one.institution.region_id != two.institution.region_id
    assert one.institution.region.parent_id != two.institution.region.parent_id
    for m in (one, two):
        registered = CareRelationship.objects.filter(institution=m.institution).count()
        assert registered >= 20
    township = _membership("doctor_township")
    supervisor = _membership("supervisor_county")
    assert township.institution.region.parent_id == one.institution.region_id
    assert supervisor.institution.region_id == one.institution.region_id


def test_every_county_hospital_sends_from_a_registered_pacs() -> None:
    demo_seed(scale="small")
    hospitals = Institution.objects.filter(level="county", kind="hospital")
    assert hospitals.count() >= 2
    for hospital in hospitals:
        node = DicomNode.objects.get(institution=hospital)
        assert dicom_node_for(ae_title=node.ae_title, address="192.0.2.10") == node
        assert node.ae_title == f"{hospital.code}_PACS"
    county = _membership("doctor_county").institution
    assert dicom_node_for(ae_title=f"{county.code}_PACS", address="127.0.0.1") is not None
    assert not DicomNode.objects.exclude(institution__in=hospitals).exists()


def test_the_expert_has_a_profile_and_two_memberships() -> None:
    demo_seed(scale="small")
    expert = User.objects.select_related("practitioner__expert").get(username="expert")
    assert expert.practitioner is not None
    assert "consultation" in expert.practitioner.expert.accepts
    memberships = Membership.objects.filter(user=expert).select_related("institution")
    assert sorted((m.roles[0], m.institution.level) for m in memberships) == [
        ("expert", "provincial"),
        ("lecturer", "provincial"),
    ]
    assert expert.practitioner.institution.kind == "hospital"


def test_if_empty_does_nothing_the_second_time() -> None:
    demo_seed(scale="small")
    before = _counts()
    assert demo_seed(scale="small", if_empty=True) is False
    assert _counts() == before
    with pytest.raises(DemoSeedError):
        demo_seed(scale="small")
    assert _counts() == before


def test_a_crash_leaves_whole_stages_and_a_rerun_completes(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(plan: object) -> str:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(seed_module, "_write_patients", crash)
    with pytest.raises(RuntimeError):
        demo_seed(scale="small")
    # Regions and staff committed; no half-written residents.
    assert Region.objects.filter(code="410000").exists()
    assert Expert.objects.exists()
    assert Patient.objects.count() == 0
    assert not User.objects.filter(username="doctor_county").exists()
    monkeypatch.undo()
    institutions = Institution.objects.count()
    assert demo_seed(scale="small", if_empty=True) is True
    assert Institution.objects.count() == institutions
    assert Patient.objects.count() == 300
    assert User.objects.filter(username="doctor_county").exists()


def test_another_scale_on_a_partial_province_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seed_module, "_write_staff", lambda plan: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        demo_seed(scale="small")
    monkeypatch.undo()
    with pytest.raises(DemoSeedError):
        demo_seed(scale="small", seed=1)
