"""The report on the request's page as each party meets it: the reader's editor (from the
template), the senior's signature with the password, the requester's critical finding."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import PASSWORD
from xietong.imaging.reading import services as svc
from xietong.imaging.reading.models import ImagingReport, ReadingRequest, Status

from .world import world_build

pytestmark = pytest.mark.django_db

FILLED = {"technique": "胸部CT平扫", "findings": "右肺上叶见一3 cm肿块",
          "impression": "右肺上叶占位，考虑肺癌", "advice": "建议穿刺活检"}  # fmt: skip


def _client(membership: Membership) -> Client:
    c = Client()
    c.force_login(membership.user)
    return c


def test_the_reader_writes_from_the_template_the_senior_signs_the_requester_acknowledges() -> None:
    w = world_build()
    r = svc.reading_claim(actor=w.reader, reading=w.request())
    page = reverse("imaging:reading", args=[r.uuid])
    reader = _client(w.reader_m)
    text = reader.get(page).content.decode()
    assert "保存草稿" in text and "提交初步报告" in text
    assert "胸部CT平扫" in text or "CT平扫" in text  # the template for the study's modality

    # Submitting without an impression: the page again, with what was typed.
    bad = reader.post(reverse("imaging:report_edit", args=[r.uuid]),
                      {**FILLED, "impression": "", "submit": "preliminary"})  # fmt: skip
    assert bad.status_code == 422
    assert FILLED["findings"] in bad.content.decode()
    assert ReadingRequest.objects.get().status == Status.READING
    assert not ImagingReport.objects.exists()

    sent = reader.post(reverse("imaging:report_edit", args=[r.uuid]),
                       {**FILLED, "critical": "on", "submit": "preliminary"})  # fmt: skip
    assert sent.status_code == 302
    assert ReadingRequest.objects.get().status == Status.PRELIMINARY

    # The requester reads the preliminary and meets the critical finding.
    requester = _client(w.requester_m)
    text = requester.get(page).content.decode()
    assert FILLED["impression"] in text and "确认危急值" in text
    mine = requester.get(reverse("imaging:readings_mine")).content.decode()
    assert "data-critical" in mine

    senior = _client(w.senior_m)
    assert "签发正式报告" in senior.get(page).content.decode()
    wrong = senior.post(reverse("imaging:report_sign", args=[r.uuid]), {"password": "nope"})
    assert wrong.status_code == 422 and ReadingRequest.objects.get().status == Status.PRELIMINARY
    signed = senior.post(reverse("imaging:report_sign", args=[r.uuid]), {"password": PASSWORD})
    assert signed.status_code == 302 and ReadingRequest.objects.get().status == Status.FINAL

    ack = requester.post(reverse("imaging:reading_act", args=[r.uuid, "critical_ack"]))
    assert ack.status_code == 302
    assert ReadingRequest.objects.get().critical_acknowledged_by_id == w.requester_m.user_id
    assert "data-critical" not in requester.get(reverse("imaging:readings_mine")).content.decode()


def test_the_requester_never_sees_a_draft() -> None:
    w = world_build()
    r = svc.reading_claim(actor=w.reader, reading=w.request())
    _client(w.reader_m).post(reverse("imaging:report_edit", args=[r.uuid]),
                             {**FILLED, "submit": "save"})  # fmt: skip
    assert ImagingReport.objects.get().findings == FILLED["findings"]
    text = _client(w.requester_m).get(reverse("imaging:reading", args=[r.uuid])).content.decode()
    assert FILLED["findings"] not in text
    assert (
        FILLED["findings"]
        in _client(w.reader_m).get(reverse("imaging:reading", args=[r.uuid])).content.decode()
    )
