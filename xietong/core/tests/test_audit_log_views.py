"""The audit log page at /audit/, as the people who use it see it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.models import User
from xietong.accounts.tests.factories import make_actor
from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.models import AuditEvent, AuditOutcome
from xietong.directory.tests.factories import InstitutionFactory, RegionFactory

pytestmark = pytest.mark.django_db


def _client(actor: Actor, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(User.objects.get(pk=actor.user_id))
    return client


@pytest.fixture
def hospital():
    prov = RegionFactory(code="410000", level="province")
    county = RegionFactory(code="410122", level="county", parent=prov)
    return InstitutionFactory(region=county, name="中牟县人民医院")


def test_platform_admin_sees_each_event_with_its_facts(hospital) -> None:
    doctor = make_actor("requester", institution=hospital)
    event = audit_record(
        actor=doctor,
        action="patient.read",
        resource_type="Patient",
        resource_id="abc",
        patient_id=42,
        outcome=AuditOutcome.MINOR_FAILURE,
    )
    admin = make_actor("platform_admin")
    response = _client(admin).get(reverse("audit:log"))
    assert response.status_code == 200
    html = response.content.decode()
    beijing = event.at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S")
    for shown in (beijing, doctor.username, "中牟县人民医院", "patient.read",
                  "Patient", "abc", "42", "minor failure"):  # fmt: skip
        assert shown in html, shown
    # The role in words, not its code.
    assert 'data-label="Roles">requesting doctor</td>' in html


def test_page_is_in_chinese_by_default(hospital) -> None:
    admin = make_actor("platform_admin", institution=hospital)
    response = _client(admin, language="zh-hans").get(reverse("audit:log"))
    html = response.content.decode()
    assert "审计日志" in html
    assert "验证哈希链" in html


def test_times_are_shown_in_beijing_time(hospital) -> None:
    AuditEvent.objects.create(
        seq=500,
        at=datetime(2026, 3, 1, 16, 30, 5, tzinfo=ZoneInfo("UTC")),
        username="night-shift",
        action="patient.read",
        resource_type="Patient",
        prev_hash="0" * 64,
        hash="0" * 64,
    )
    admin = make_actor("platform_admin", institution=hospital)
    html = _client(admin).get(reverse("audit:log")).content.decode()
    assert "2026-03-02 00:30:05" in html


def test_filters_on_user_and_outcome(hospital) -> None:
    alice = make_actor("requester", institution=hospital)
    bob = make_actor("requester", institution=hospital)
    audit_record(actor=alice, action="patient.read", resource_type="Patient")
    audit_record(
        actor=bob,
        action="patient.read",
        resource_type="Patient",
        outcome=AuditOutcome.MINOR_FAILURE,
    )
    audit_record(actor=bob, action="patient.search", resource_type="Patient")
    admin = make_actor("platform_admin", institution=hospital)
    response = _client(admin).get(
        reverse("audit:log"),
        {"username": bob.username, "outcome": str(AuditOutcome.MINOR_FAILURE.value)},
    )
    rows = list(response.context["page"].object_list)
    assert [(e.username, e.action) for e in rows] == [(bob.username, "patient.read")]
    assert alice.username not in response.content.decode()


def test_fifty_events_a_page_newest_first_and_filters_kept_across_pages(hospital) -> None:
    doctor = make_actor("requester", institution=hospital)
    for i in range(60):
        audit_record(actor=doctor, action="patient.read", resource_type="Patient", resource_id=i)
    admin = make_actor("platform_admin", institution=hospital)
    client = _client(admin)
    first = client.get(reverse("audit:log"), {"action": "patient.read"})
    ids = [e.resource_id for e in first.context["page"].object_list]
    assert ids == [str(i) for i in range(59, 9, -1)]
    html = first.content.decode()
    assert "action=patient.read&amp;page=2" in html
    second = client.get(reverse("audit:log"), {"action": "patient.read", "page": "2"})
    assert [e.resource_id for e in second.context["page"].object_list] == [
        str(i) for i in range(9, -1, -1)
    ]


def test_chosen_dates_stay_in_the_date_pickers_in_chinese(hospital) -> None:
    admin = make_actor("platform_admin", institution=hospital)
    response = _client(admin, language="zh-hans").get(
        reverse("audit:log"), {"date_from": "2026-05-01", "date_to": "2026-05-31"}
    )
    html = response.content.decode()
    assert 'name="date_from" value="2026-05-01"' in html
    assert 'name="date_to" value="2026-05-31"' in html


def test_bad_filters_get_a_clear_error_and_no_results(hospital) -> None:
    admin = make_actor("platform_admin", institution=hospital)
    response = _client(admin).get(
        reverse("audit:log"), {"date_from": "2026-05-02", "date_to": "2026-05-01"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The end date is before the start date." in html
    assert response.context["page"] is None
    response = _client(admin).get(reverse("audit:log"), {"date_from": "yesterday"})
    assert "Enter a valid date." in response.content.decode()


def test_reading_the_log_is_audited(hospital) -> None:
    admin = make_actor("institution_admin", institution=hospital)
    _client(admin).get(reverse("audit:log"), {"username": "zhang"})
    trace = AuditEvent.objects.get(action="audit.search")
    assert trace.username == admin.username
    assert trace.detail == {"username": "zhang"}


@pytest.mark.parametrize("role", ["requester", "expert", "coordinator"])
def test_others_get_not_found_and_the_attempt_is_recorded(hospital, role: str) -> None:
    actor = make_actor(role, institution=hospital)
    response = _client(actor).get(reverse("audit:log"))
    assert response.status_code == 404
    assert "This page does not exist" in response.content.decode()
    trace = AuditEvent.objects.get(action="audit.search")
    assert (trace.username, trace.outcome) == (actor.username, AuditOutcome.MINOR_FAILURE)
    # A malformed search is refused the same way.
    assert _client(actor).get(reverse("audit:log"), {"date_from": "x"}).status_code == 404


def test_signed_out_visitor_is_sent_to_sign_in() -> None:
    response = Client().get(reverse("audit:log"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_nav_shows_audit_log_to_readers_only(hospital) -> None:
    link = f'href="{reverse("audit:log")}"'
    for role in ("platform_admin", "supervisor", "institution_admin"):
        html = _client(make_actor(role, institution=hospital)).get("/").content.decode()
        assert link in html, role
    html = _client(make_actor("requester", institution=hospital)).get("/").content.decode()
    assert link not in html


def test_verify_chain_button_reports_an_intact_chain(hospital) -> None:
    doctor = make_actor("requester", institution=hospital)
    for _ in range(3):
        audit_record(actor=doctor, action="patient.read", resource_type="Patient")
    admin = make_actor("platform_admin", institution=hospital)
    client = _client(admin)
    assert "Verify chain" in client.get(reverse("audit:log")).content.decode()
    written = AuditEvent.objects.count()  # the 3 reads, signing in, opening the page
    response = client.post(reverse("audit:verify"), follow=True)
    assert f"The audit chain is intact: {written} links verified." in response.content.decode()


def test_verify_chain_names_a_removed_link(hospital) -> None:
    doctor = make_actor("requester", institution=hospital)
    for _ in range(3):
        audit_record(actor=doctor, action="patient.read", resource_type="Patient")
    # The PostgreSQL trigger refuses deletes; the SQLite one only updates (see migration 0002).
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = replica")
        cur.execute("DELETE FROM core_auditevent WHERE seq = 2")
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = DEFAULT")
    admin = make_actor("platform_admin", institution=hospital)
    chain = AuditEvent.objects.values_list("chain", flat=True).first()
    response = _client(admin).post(reverse("audit:verify"), follow=True)
    assert f"Audit chain {chain} is broken at link 2: a link is missing." in (
        response.content.decode()
    )


def test_verify_chain_is_not_there_for_supervisors(hospital) -> None:
    supervisor = make_actor("supervisor", institution=hospital)
    client = _client(supervisor)
    assert "Verify chain" not in client.get(reverse("audit:log")).content.decode()
    assert client.post(reverse("audit:verify")).status_code == 404
