"""The report as it will print, before it is signed: a preview PDF of the draft or the
preliminary, watermarked as not signed, for the reading centre's readers and seniors only;
never for the requester, and gone once the report is signed."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import PASSWORD
from xietong.core.models import AuditEvent
from xietong.imaging.reading import reports as rep
from xietong.imaging.reading import services as svc
from xietong.imaging.reading.models import ImagingReport, ReadingRequest

from .world import world_build

pytestmark = pytest.mark.django_db


def _client(membership: Membership) -> Client:
    c = Client()
    c.force_login(membership.user)
    return c


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_draft_previews_with_its_text_and_the_watermark(cjk_font: None) -> None:
    w = world_build()
    r = svc.reading_claim(actor=w.reader, reading=w.request())
    rep.report_draft_save(actor=w.reader, reading=r, findings="左肺下叶磨玻璃结节8毫米",
                          impression="左肺下叶结节，建议随访")  # fmt: skip
    page = _client(w.reader_m).get(reverse("imaging:reading", args=[r.uuid]))
    url = reverse("imaging:report_preview_pdf", args=[r.uuid])
    assert url in page.content.decode()  # the button on the report screen

    answer = _client(w.reader_m).get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert answer["Cache-Control"] == "no-store"
    text = _text(answer.content)
    assert "左肺下叶磨玻璃结节8毫米" in text and "左肺下叶结节，建议随访" in text
    assert "未签发" in text and "预览" in text
    assert "SHA-256" not in text
    # Nothing is kept or signed by printing it.
    assert ImagingReport.objects.get(reading=r).signed_at is None
    assert ReadingRequest.objects.get(pk=r.pk).status == "reading"
    assert AuditEvent.objects.filter(action="imaging_report.read", detail__preview=True).exists()


def test_who_may_open_the_preview(cjk_font: None) -> None:
    w = world_build()
    r = svc.reading_claim(actor=w.reader, reading=w.request())
    rep.report_preliminary(actor=w.reader, reading=r, technique="胸部CT平扫",
                           findings="右肺上叶见一3 cm肿块", impression="右肺上叶占位")  # fmt: skip
    url = reverse("imaging:report_preview_pdf", args=[r.uuid])

    senior_page = _client(w.senior_m).get(reverse("imaging:reading", args=[r.uuid]))
    assert url in senior_page.content.decode()
    preview = _client(w.senior_m).get(url)
    assert preview.status_code == 200 and "右肺上叶占位" in _text(preview.content)
    assert _client(w.reader_m).get(url).status_code == 200

    # The requester reads the preliminary on the page but never a preview; a stranger
    # finds nothing; both refusals are recorded.
    requester_page = _client(w.requester_m).get(reverse("imaging:reading", args=[r.uuid]))
    assert requester_page.status_code == 200 and url not in requester_page.content.decode()
    assert _client(w.requester_m).get(url).status_code == 404
    assert _client(w.stranger_m).get(url).status_code == 404
    refused = AuditEvent.objects.filter(resource_type="ImagingReport", detail__reason="not visible")
    assert refused.count() == 1  # the stranger is refused the request itself

    # Once signed, the signed PDF is the report and the preview is gone.
    rep.report_sign(actor=w.senior, reading=ReadingRequest.objects.get(pk=r.pk), password=PASSWORD)
    assert _client(w.senior_m).get(url).status_code == 404
    signed = _client(w.senior_m).get(reverse("imaging:report_pdf", args=[r.uuid, 1]))
    assert signed.status_code == 200 and "未签发" not in _text(signed.content)


def test_the_preview_costs_the_same_statements_however_long_the_report(cjk_font: None) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = world_build()
    r = svc.reading_claim(actor=w.reader, reading=w.request())
    url = reverse("imaging:report_preview_pdf", args=[r.uuid])
    client = _client(w.reader_m)

    def statements(findings: str) -> int:
        rep.report_draft_save(actor=w.reader, reading=r, findings=findings, impression="随访")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    short = statements("结节")
    assert statements("左肺下叶磨玻璃结节。" * 200) == short
    assert short <= 12, short  # session, actor, reading, report, study, audit (11 on PostgreSQL)
