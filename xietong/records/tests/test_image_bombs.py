from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from xietong.accounts.tests.factories import make_actor
from xietong.core.errors import ValidationFailed
from xietong.core.tests.images import jpeg
from xietong.patients.tests.factories import institution_of, make_patient
from xietong.records.models import ClinicalDocument, DocumentKind
from xietong.records.services import document_upload
from xietong.records.tests.helpers import stored_files, upload

pytestmark = pytest.mark.django_db


def test_an_image_declaring_more_pixels_than_its_bytes_hold_is_refused() -> None:
    before = stored_files()
    doctor = make_actor("requester")
    patient = make_patient(institution_of(doctor))
    with pytest.raises(ValidationFailed) as refused:
        document_upload(
            actor=doctor, patient=patient, kind=DocumentKind.PAPER_PHOTO, title="胸片",
            file=upload(jpeg(6_000, 6_000), name="x.jpg", content_type="image/jpeg"),
            clinical_date=dt.date(2026, 5, 1), source="",
        )  # fmt: skip
    with translation.override("zh-hans"):
        assert "6000 × 6000 像素" in str(refused.value.fields["file"][0])
    assert not ClinicalDocument.objects.exists()
    assert stored_files() == before
