"""Searching imaging reports (DiagnosticReport) and studies (ImagingStudy) under /fhir/R4/:
the platform's own reports beside those the hospital pushed, in one answer (ADR 32), for
those who see them and for nobody else, each search recorded and a page's queries fixed."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from xietong.accounts.models import Membership
from xietong.core.models import AuditEvent
from xietong.exchange.push.columns import LOCAL
from xietong.exchange.tests.factories import bundle, make_gateway, patient_entry, push
from xietong.imaging.models import Study
from xietong.imaging.reading import reports as rep
from xietong.imaging.reading import services as svc
from xietong.imaging.reading.models import ReadingRequest

from .test_outputs import _signed
from .world import World, world_build

pytestmark = pytest.mark.django_db


def _search(m: Membership, resource_type: str, **params: Any) -> dict[str, Any]:
    c = Client()
    c.force_login(m.user)
    answer = c.get(f"/fhir/R4/{resource_type}", params)
    assert answer.status_code == 200, answer.content
    body: dict[str, Any] = answer.json()
    return body


def _ids(body: dict[str, Any]) -> list[str]:
    return [e["resource"]["id"] for e in body.get("entry", [])]


def _pushed_report(w: World, number: str, effective: str) -> None:
    """The county hospital's own report of the same patient, pushed by its gateway."""
    _gateway, secret = make_gateway(w.hospital)
    mine = patient_entry(w.hospital, "H001", resident_id=w.patient.resident_id or "")
    system = f"urn:xietong:source:{w.hospital.code}:report"
    report = {
        "fullUrl": f"urn:uuid:{uuid.uuid4()}",
        "resource": {
            "resourceType": "DiagnosticReport", "status": "final",
            "identifier": [{"system": system, "value": number}],
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074",
                                      "code": "RAD"}]}],
            "code": {"text": "胸部X线"}, "subject": {"reference": mine["fullUrl"]},
            "effectiveDateTime": effective, "conclusion": "两肺未见异常",
        },
        "request": {"method": "POST", "url": "DiagnosticReport",
                    "ifNoneExist": f"identifier={system}|{number}"},
    }  # fmt: skip
    assert push(secret, bundle([mine, report])).status_code == 200


def test_who_finds_the_report() -> None:
    w = world_build()
    r = _signed(w)
    for m in (w.requester_m, w.reader_m, w.senior_m):
        body = _search(m, "DiagnosticReport", patient=str(w.patient.uuid))
        assert _ids(body) == [str(r.uuid)] and body["total"] == 1
        assert body["entry"][0]["resource"]["status"] == "final"
    nothing = _search(w.stranger_m, "DiagnosticReport", patient=str(w.patient.uuid))
    assert nothing["total"] == 0 and _ids(nothing) == []
    searches = AuditEvent.objects.filter(action="imaging_report.search")
    assert searches.count() == 4
    assert searches.filter(patient_id=w.patient.pk).count() == 3


def test_each_parameter_of_diagnostic_report() -> None:
    w = world_build()
    r = _signed(w)
    waiting = svc.reading_claim(actor=w.reader, reading=w.request())
    rep.report_preliminary(actor=w.reader, reading=waiting, technique="平扫",
                           findings="未见异常", impression="未见明显异常")  # fmt: skip
    m, both = w.requester_m, sorted([str(r.uuid), str(waiting.uuid)])

    def found(**params: Any) -> list[str]:
        return sorted(_ids(_search(m, "DiagnosticReport", **params)))

    assert found(patient=f"Patient/{w.patient.uuid}") == both
    assert found(patient=str(uuid.uuid4())) == []
    assert found(status="final") == [str(r.uuid)]
    assert found(status="preliminary,final") == both
    assert found(category="http://terminology.hl7.org/CodeSystem/v2-0074|RAD") == both
    assert found(category="LAB") == []
    assert found(code="http://loinc.org|18748-4") == both
    assert found(code="http://loinc.org|2345-7") == []
    assert found(identifier=f"urn:xietong:imaging-reading-number|{r.number}") == [str(r.uuid)]
    assert found(identifier=waiting.number) == [str(waiting.uuid)]
    report = _search(m, "DiagnosticReport", identifier=r.number)["entry"][0]["resource"]
    # A date without a zone is the province's day (Beijing time), as the exchange reads it.
    day = dt.datetime.fromisoformat(report["issued"]).astimezone(LOCAL).date().isoformat()
    assert found(date=day) == both and found(date=f"gt{day}") == []
    assert found(date=f"lt{day}") == [] and found(_lastUpdated=f"ge{day}") == both
    newest_first = _ids(_search(m, "DiagnosticReport", patient=str(w.patient.uuid)))
    oldest_first = _ids(_search(m, "DiagnosticReport", patient=str(w.patient.uuid), _sort="date"))
    assert newest_first == list(reversed(oldest_first)) and len(newest_first) == 2


def test_a_draft_is_found_as_registered_work_without_its_text() -> None:
    w = world_build()
    r = svc.reading_claim(actor=w.reader, reading=w.request())
    rep.report_draft_save(actor=w.reader, reading=r, impression="草稿，未提交")
    body = _search(w.requester_m, "DiagnosticReport", status="partial")
    assert _ids(body) == [str(r.uuid)]
    assert "conclusion" not in body["entry"][0]["resource"]
    assert "草稿" not in str(body)


def test_ours_and_the_hospitals_in_one_search_paged_honestly() -> None:
    w = world_build()
    r = _signed(w)
    ours_day = ReadingRequest.objects.get(pk=r.pk).final_at
    assert ours_day is not None
    _pushed_report(w, "XR-1", "2020-01-02T09:00:00+08:00")  # older than ours
    pushed_patient = next(
        e["resource"]["subject"]["reference"]
        for e in _search(w.requester_m, "DiagnosticReport", category="RAD")["entry"]
        if e["resource"].get("identifier", [{}])[0].get("value") == "XR-1"
    )
    for patient in (str(w.patient.uuid), pushed_patient):
        body = _search(w.requester_m, "DiagnosticReport", patient=patient, _count=1)
        # Our report (newer) first, the hospital's on the next page; the total counts both.
        assert body["total"] == 2 and _ids(body) == [str(r.uuid)]
        following = _search(w.requester_m, "DiagnosticReport", patient=patient, _count=1,
                            _offset=1)  # fmt: skip
        assert following["total"] == 2 and len(following["entry"]) == 1
        assert following["entry"][0]["resource"]["conclusion"] == "两肺未见异常"
        assert not [x for x in following["link"] if x["relation"] == "next"]
    oldest = _search(w.requester_m, "DiagnosticReport", category="RAD", _sort="date", _count=1)
    assert oldest["entry"][0]["resource"]["conclusion"] == "两肺未见异常"
    assert _search(w.stranger_m, "DiagnosticReport", category="RAD")["total"] == 0


def test_each_parameter_of_imaging_study() -> None:
    w = world_build()
    other = w.another_study()
    s = w.study
    m = w.requester_m

    def found(**params: Any) -> list[str]:
        return sorted(_ids(_search(m, "ImagingStudy", **params)))

    both = sorted([str(s.uuid), str(other.uuid)])
    assert found(patient=str(w.patient.uuid)) == both
    assert found(identifier=f"urn:dicom:uid|urn:oid:{s.study_instance_uid}") == [str(s.uuid)]
    assert found(identifier=s.study_instance_uid) == [str(s.uuid)]
    Study.objects.filter(pk=s.pk).update(accession_number="A2026-77")  # as the HIS numbered it
    assert found(identifier="A2026-77") == [str(s.uuid)] == found(identifier="|A2026-77")
    study = _search(m, "ImagingStudy", identifier="A2026-77")["entry"][0]["resource"]
    assert study["identifier"][1]["value"] == "A2026-77"
    modality = s.modality_list[0]
    assert str(s.uuid) in found(modality=f"http://dicom.nema.org/resources/ontology/DCM|{modality}")
    absent = next(x for x in ("MR", "DX", "US", "CT") if x not in s.modalities + other.modalities)
    assert found(modality=absent) == []
    day = f"{s.study_date[:4]}-{s.study_date[4:6]}-{s.study_date[6:]}"
    assert str(s.uuid) in found(started=day) and str(s.uuid) in found(started=day[:4])
    assert str(s.uuid) not in found(started=f"gt{day}", patient=str(w.patient.uuid))
    assert found(status="available", patient=str(w.patient.uuid)) == both
    assert found(status="cancelled") == []
    assert found(patient=str(w.patient.uuid), _lastUpdated="lt2000") == []
    assert _search(w.stranger_m, "ImagingStudy", patient=str(w.patient.uuid))["total"] == 0
    assert AuditEvent.objects.filter(action="imaging_study.search").exists()


def test_a_page_costs_the_same_queries_at_any_size() -> None:
    w = world_build()
    _signed(w)
    for _n in range(4):
        asked = svc.reading_create(actor=w.requester, study=w.another_study(), urgency="routine",
                                   clinical_question="复查")  # fmt: skip
        r = svc.reading_claim(actor=w.reader, reading=asked)
        rep.report_preliminary(actor=w.reader, reading=r, technique="平扫",
                               findings="未见异常", impression="未见明显异常")  # fmt: skip

    def queries(resource_type: str, count: int) -> tuple[int, int]:
        c = Client()
        c.force_login(w.requester_m.user)
        with CaptureQueriesContext(connection) as seen:
            answer = c.get(f"/fhir/R4/{resource_type}",
                           {"patient": str(w.patient.uuid), "_count": str(count)})  # fmt: skip
        assert answer.status_code == 200 and len(answer.json()["entry"]) == count
        return len(seen), answer.json()["total"]

    # Pages of 1 and of 4 (more follow both: the same count query) cost the same.
    assert queries("DiagnosticReport", 1) == (queries("DiagnosticReport", 4)[0], 5)
    assert queries("ImagingStudy", 1) == (queries("ImagingStudy", 4)[0], 5)


def test_capability_statement_declares_the_imaging_searches() -> None:
    from fhir.resources.R4B.capabilitystatement import CapabilityStatement

    body = Client().get("/fhir/R4/metadata").json()
    CapabilityStatement.model_validate(body)
    kinds = {r["type"]: r for r in body["rest"][0]["resource"]}
    report = {p["name"]: p["type"] for p in kinds["DiagnosticReport"]["searchParam"]}
    study = {p["name"]: p["type"] for p in kinds["ImagingStudy"]["searchParam"]}
    assert {"patient", "category", "code", "date", "status"} <= set(report)
    assert {"patient": "reference", "started": "date", "modality": "token",
            "identifier": "token"}.items() <= study.items()  # fmt: skip
