"""Who reads which part of the audit log: a role × scope matrix."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from xietong.accounts.tests.factories import make_actor
from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import NotFound
from xietong.core.models import AuditEvent, AuditOutcome
from xietong.core.selectors import (
    AuditFilters,
    _patient_resolvers,
    audit_chain_check,
    audit_events_for,
    audit_log_search,
    audit_patient_resolver_register,
)
from xietong.directory.tests.factories import InstitutionFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def province() -> dict[str, object]:
    prov = RegionFactory(code="410000", level="province", name="河南省")
    city = RegionFactory(code="410100", level="city", parent=prov, name="郑州市")
    county_a = RegionFactory(code="410122", level="county", parent=city, name="中牟县")
    county_b = RegionFactory(code="410181", level="county", parent=city, name="巩义市")
    elsewhere = RegionFactory(code="130000", level="province", name="河北省")
    return {
        "prov": prov,
        "city": city,
        "hosp_a": InstitutionFactory(region=county_a, name="中牟县人民医院"),
        "hosp_a2": InstitutionFactory(region=county_a, name="中牟县中医院"),
        "hosp_b": InstitutionFactory(region=county_b, name="巩义市人民医院"),
        "hosp_x": InstitutionFactory(region=elsewhere, name="河北省人民医院"),
    }


def _event_by(actor: Actor, action: str = "patient.read") -> AuditEvent:
    return audit_record(actor=actor, action=action, resource_type="Patient", resource_id="1")


def _usernames(actor: Actor, filters: AuditFilters | None = None) -> set[str]:
    events = audit_events_for(actor=actor, filters=filters or AuditFilters())
    return set(events.values_list("username", flat=True))


@pytest.fixture
def doctors(province: dict[str, object]) -> dict[str, Actor]:
    found = {
        key: make_actor("requester", institution=province[key])
        for key in ("hosp_a", "hosp_a2", "hosp_b", "hosp_x")
    }
    for actor in found.values():
        _event_by(actor)
    return found


def test_platform_admin_reads_every_event(province, doctors) -> None:
    admin = make_actor("platform_admin", institution=province["hosp_x"])
    assert _usernames(admin) == {d.username for d in doctors.values()}


def test_city_supervisor_reads_the_events_of_their_region_only(province, doctors) -> None:
    authority = InstitutionFactory(region=province["city"], kind="authority")
    supervisor = make_actor("supervisor", institution=authority)
    assert _usernames(supervisor) == {
        doctors["hosp_a"].username,
        doctors["hosp_a2"].username,
        doctors["hosp_b"].username,
    }


def test_institution_admin_reads_their_institution_only(province, doctors) -> None:
    admin = make_actor("institution_admin", institution=province["hosp_a"])
    assert _usernames(admin) == {doctors["hosp_a"].username}


@pytest.mark.parametrize("role", ["requester", "expert", "coordinator", "pharmacist", "learner"])
def test_other_roles_read_nothing(province, doctors, role: str) -> None:
    actor = make_actor(role, institution=province["hosp_a"])
    with pytest.raises(NotFound):
        audit_events_for(actor=actor, filters=AuditFilters())


def test_refused_search_is_itself_recorded_as_a_minor_failure(province) -> None:
    doctor = make_actor("requester", institution=province["hosp_a"])
    with pytest.raises(NotFound):
        audit_log_search(actor=doctor, filters=AuditFilters(username="someone"))
    trace = AuditEvent.objects.get(action="audit.search")
    assert trace.username == doctor.username
    assert trace.outcome == AuditOutcome.MINOR_FAILURE


def test_search_is_recorded_with_its_filters(province, doctors) -> None:
    admin = make_actor("platform_admin", institution=province["hosp_x"])
    events = audit_log_search(
        actor=admin, filters=AuditFilters(username=doctors["hosp_b"].username)
    )
    assert [e.username for e in events] == [doctors["hosp_b"].username]
    trace = AuditEvent.objects.filter(action="audit.search").get()
    assert trace.detail == {"username": doctors["hosp_b"].username}
    assert trace.outcome == AuditOutcome.SUCCESS


def test_filters_narrow_the_results(province) -> None:
    admin = make_actor("platform_admin", institution=province["hosp_x"])
    doctor = make_actor("requester", institution=province["hosp_a"])
    audit_record(actor=doctor, action="patient.read", resource_type="Patient", patient_id=7)
    audit_record(
        actor=doctor,
        action="patient.read",
        resource_type="Patient",
        patient_id=8,
        outcome=AuditOutcome.MINOR_FAILURE,
    )
    audit_record(actor=doctor, action="consultation.create", resource_type="Consultation")

    def actions(**kw: object) -> list[tuple[str, int | None, int]]:
        rows = audit_events_for(actor=admin, filters=AuditFilters(**kw))  # type: ignore[arg-type]
        return list(rows.values_list("action", "patient_id", "outcome"))

    assert actions(action="patient.") == [("patient.read", 8, 4), ("patient.read", 7, 0)]
    assert actions(resource_type="consultation") == [("consultation.create", None, 0)]
    assert actions(patient="7") == [("patient.read", 7, 0)]
    assert actions(outcome=AuditOutcome.MINOR_FAILURE) == [("patient.read", 8, 4)]
    assert actions(patient="not-an-id") == []
    assert actions(patient="9" * 30) == []  # beyond any id: nothing, not a database error


def test_a_patient_is_found_by_the_uuid_in_their_page_address(province) -> None:
    admin = make_actor("platform_admin", institution=province["hosp_x"])
    doctor = make_actor("requester", institution=province["hosp_a"])
    external = uuid.uuid4()
    audit_record(
        actor=doctor,
        action="patient.read",
        resource_type="Patient",
        resource_id=external,
        patient_id=7,
    )
    audit_record(actor=doctor, action="consultation.create", resource_type="Consultation",
                 resource_id="c-1", patient_id=7)  # fmt: skip
    audit_record(actor=doctor, action="patient.read", resource_type="Patient", patient_id=8)

    def actions() -> list[str]:
        filters = AuditFilters(patient=str(external))
        return list(audit_events_for(actor=admin, filters=filters).values_list("action", flat=True))

    # Without help from the app that keeps patients, the events about that resource match.
    assert actions() == ["patient.read"]
    # With its resolver, so do the other events about the same patient.
    resolver = audit_patient_resolver_register(lambda u: 7 if u == external else None)
    try:
        assert actions() == ["consultation.create", "patient.read"]
    finally:
        _patient_resolvers.remove(resolver)


def test_date_range_is_in_beijing_days(province) -> None:
    admin = make_actor("platform_admin", institution=province["hosp_x"])
    event = _event_by(make_actor("requester", institution=province["hosp_a"]))
    beijing_day = timezone.localtime(event.at, ZoneInfo("Asia/Shanghai")).date()
    assert _usernames(admin, AuditFilters(date_from=beijing_day, date_to=beijing_day))
    assert not _usernames(admin, AuditFilters(date_to=beijing_day - timedelta(days=1)))
    assert not _usernames(admin, AuditFilters(date_from=beijing_day + timedelta(days=1)))


def test_a_day_boundary_follows_beijing_not_utc(province) -> None:
    admin = make_actor("platform_admin", institution=province["hosp_x"])
    # 16:30 UTC on 1 March is 00:30 on 2 March in Beijing. Written directly: audit_record
    # stamps the present, and this test needs a moment next to midnight.
    AuditEvent.objects.create(
        seq=1000,
        at=datetime(2026, 3, 1, 16, 30, tzinfo=ZoneInfo("UTC")),
        username="night-shift",
        action="patient.read",
        resource_type="Patient",
        prev_hash="0" * 64,
        hash="0" * 64,
    )
    march_2 = AuditFilters(date_from=date(2026, 3, 2), date_to=date(2026, 3, 2))
    march_1 = AuditFilters(date_from=date(2026, 3, 1), date_to=date(2026, 3, 1))
    assert _usernames(admin, march_2) == {"night-shift"}
    assert _usernames(admin, march_1) == set()


def test_chain_check_is_for_platform_admins_and_is_recorded(province, doctors) -> None:
    supervisor = make_actor("supervisor", institution=province["hosp_a"])
    with pytest.raises(NotFound):
        audit_chain_check(actor=supervisor)
    admin = make_actor("platform_admin", institution=province["hosp_x"])
    report = audit_chain_check(actor=admin)
    assert report.ok
    assert report.checked == 4
    assert AuditEvent.objects.filter(action="audit.verify", username=admin.username).exists()
