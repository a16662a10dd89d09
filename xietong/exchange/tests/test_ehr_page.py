"""The resident's record page: who sees it, what it shows of each hospital's pushes, and what
it leaves in the audit log."""

from __future__ import annotations

import re
from typing import cast

import pytest
from django.urls import reverse

from xietong.accounts.actors import actor_for_membership
from xietong.core.models import AuditEvent, AuditOutcome
from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory
from xietong.patients.grants import patient_access_grant

from .ehr_world import World, doctor_at, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> World:
    return world_build()


def _url(w: World) -> str:
    return reverse("ehr:patient", args=[w.patient.uuid])


def _entries(html: str) -> list[str]:
    """Each timeline entry as its text, in the page's order."""
    found = re.findall(r'<li class="card xt-ehr-entry".*?</li>', html, flags=re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", e)).strip() for e in found]


def test_the_caring_hospitals_doctor_sees_every_hospitals_entries_newest_first(w: World) -> None:
    _m, doctor = doctor_at(w.county)

    answer = doctor.get(_url(w))

    assert answer.status_code == 200
    html = answer.content.decode()
    assert "居民健康档案" in html
    entries = _entries(html)
    assert len(entries) == 10
    # Newest first, each with its hospital.
    assert entries[0].startswith("2026-11-13 16:00") and "出院小结" in entries[0]
    assert "郑州一院" in entries[0]
    assert entries[-1].startswith("2026-11-01 08:00") and "住院 · 心内科" in entries[-1]
    assert "中牟县医院" in entries[-1]
    (high,) = [e for e in entries if "8.4" in e]
    assert "检验结果" in high and "mmol/L" in high and "偏高" in high
    assert "参考范围 3.9-6.1" in high
    (low,) = [e for e in entries if "3.1" in e]
    assert "偏低" in low and "郑州一院" in low
    (normal,) = [e for e in entries if "5.2" in e]
    assert "偏高" not in normal and "偏低" not in normal
    labels = ("诊断", "原发性高血压", "处方", "硝苯地平控释片", "每日一次", "过敏",
              "青霉素", "皮疹", "检查报告", "左室舒张功能减低", "手术操作", "冠状动脉造影术",
              "文档")  # fmt: skip
    assert all(label in html for label in labels)


def test_the_patients_page_leads_to_the_record(w: World) -> None:
    _m, doctor = doctor_at(w.county)

    page = doctor.get(reverse("patients:detail", args=[w.patient.uuid])).content.decode()

    head = page[page.index("xt-patient-head") : page.index("</section>")]
    assert f'href="{_url(w)}"' in head and "健康档案" in head
    section = page[page.index('id="ehr"') :]
    section = section[: section.index("</section>")]
    assert "健康档案" in section
    assert f'href="{_url(w)}"' in section
    assert "检验结果 3" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))


def test_another_hospitals_doctor_without_a_grant_gets_404_and_nothing_is_seen(
    w: World,
) -> None:
    _m, stranger = doctor_at(cast(Institution, InstitutionFactory()))
    before = AuditEvent.objects.count()

    answer = stranger.get(_url(w))

    assert answer.status_code == 404
    assert "王小明" not in answer.content.decode()
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.action, e.outcome) for e in events] == [("patient.read", AuditOutcome.MINOR_FAILURE)]
    assert not AuditEvent.objects.filter(action="fhir_resource.search").exists()


def test_a_missing_patient_is_404_too(w: World) -> None:
    _m, doctor = doctor_at(w.county)
    missing = reverse("ehr:patient", args=["6d0c2f5e-1111-4a4a-9c9c-000000000000"])
    assert doctor.get(missing).status_code == 404


def test_a_doctor_granted_the_patient_reads_no_hospitals_entries_the_work_did_not_share(
    w: World,
) -> None:
    # A grant opens the patient for a piece of work; what the hospitals pushed stays theirs
    # until the work shares it (docs/adr/0033). The page says how much is kept back, in one
    # number, and offers no emergency access to a doctor whose institution does not care.
    membership, expert = doctor_at(cast(Institution, InstitutionFactory()), "expert")
    assert expert.get(_url(w)).status_code == 404
    county_doctor, _client = doctor_at(w.county)
    patient_access_grant(actor=actor_for_membership(county_doctor), patient=w.patient,
                         user_id=membership.user_id, source="consultation:7")  # fmt: skip

    answer = expert.get(_url(w))

    assert answer.status_code == 200
    html = answer.content.decode()
    assert _entries(html) == []
    assert "其他机构的 10 条记录需在本机构登记患者的共享同意" in html
    assert "中牟县医院" not in html and "郑州一院" not in html
    assert "#break-glass" not in html


def test_one_view_records_the_patients_read_and_one_search_of_the_record(w: World) -> None:
    _m, doctor = doctor_at(w.county)
    before = AuditEvent.objects.count()

    doctor.get(_url(w), {"kind": "observation"})

    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.action, e.outcome) for e in events] == [
        ("patient.read", AuditOutcome.SUCCESS),
        ("fhir_resource.search", AuditOutcome.SUCCESS),
    ]
    search = events[1]
    assert search.patient_id == w.patient.pk
    assert search.detail["view"] == "ehr"
    assert search.detail["criteria"]["kinds"] == ["observation"]
    assert search.detail["shown"] == {"observation": 3}
