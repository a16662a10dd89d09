"""The signed report leaves the platform as a PDF (Chinese fonts) and as FHIR R4 — a
DiagnosticReport pointing at its ImagingStudy — for those who see the request, and for
nobody else."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import PASSWORD
from xietong.core.models import AuditEvent
from xietong.imaging.reading import reports as rep
from xietong.imaging.reading import services as svc
from xietong.imaging.reading.models import ReadingRequest

from .world import World, world_build

pytestmark = pytest.mark.django_db

CONTENT = {"technique": "胸部CT平扫", "findings": "右肺上叶见一3 cm肿块",
           "impression": "右肺上叶占位，考虑肺癌", "advice": "建议穿刺活检"}  # fmt: skip


def _client(membership: Membership) -> Client:
    c = Client()
    c.force_login(membership.user)
    return c


def _signed(w: World) -> ReadingRequest:
    r = svc.reading_claim(actor=w.reader, reading=w.request())
    rep.report_preliminary(actor=w.reader, reading=r, **CONTENT)
    rep.report_sign(actor=w.senior, reading=ReadingRequest.objects.get(pk=r.pk), password=PASSWORD)
    return ReadingRequest.objects.get(pk=r.pk)


def test_the_signed_report_as_pdf_for_the_requester_only(cjk_font: None) -> None:
    w = world_build()
    r = _signed(w)
    url = reverse("imaging:report_pdf", args=[r.uuid, 1])
    answer = _client(w.requester_m).get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF") and r.number in answer["Content-Disposition"]
    assert AuditEvent.objects.filter(action="imaging_report.read").count() == 1
    assert _client(w.stranger_m).get(url).status_code == 404
    assert (
        _client(w.requester_m).get(reverse("imaging:report_pdf", args=[r.uuid, 2])).status_code
        == 404
    )


def test_diagnostic_report_and_imaging_study_under_fhir() -> None:
    w = world_build()
    r = _signed(w)
    report = _client(w.requester_m).get(reverse("fhir:read", args=["DiagnosticReport", r.uuid]))
    assert report.status_code == 200
    body = report.json()
    assert body["status"] == "final" and body["conclusion"] == CONTENT["impression"]
    assert body["imagingStudy"] == [{"reference": f"ImagingStudy/{w.study.uuid}"}]
    assert body["subject"]["reference"] == f"Patient/{w.patient.uuid}"
    assert any(f.get("contentType") == "application/pdf" for f in body["presentedForm"])

    study = _client(w.reader_m).get(reverse("fhir:read", args=["ImagingStudy", w.study.uuid]))
    assert study.status_code == 200
    s = study.json()
    assert s["identifier"][0]["value"] == f"urn:oid:{w.study.study_instance_uid}"
    assert s["numberOfInstances"] == w.study.instance_count and s["series"]

    stranger = _client(w.stranger_m)
    assert stranger.get(reverse("fhir:read", args=["DiagnosticReport", r.uuid])).status_code == 404
    assert (
        stranger.get(reverse("fhir:read", args=["ImagingStudy", w.study.uuid])).status_code == 404
    )


def test_a_report_not_yet_submitted_is_registered_with_no_conclusion() -> None:
    w = world_build()
    r = svc.reading_claim(actor=w.reader, reading=w.request())
    rep.report_draft_save(actor=w.reader, reading=r, impression="草稿")
    body = (
        _client(w.requester_m).get(reverse("fhir:read", args=["DiagnosticReport", r.uuid])).json()
    )
    assert body["status"] == "partial" and "conclusion" not in body
