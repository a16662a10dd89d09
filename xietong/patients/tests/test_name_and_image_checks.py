"""Names with invisible or reordering characters, and image bombs as consent scans."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from xietong.accounts.tests.factories import make_actor
from xietong.core.errors import ValidationFailed
from xietong.core.tests.images import png
from xietong.patients.models import Patient
from xietong.patients.services import consent_record, patient_register
from xietong.patients.tests.factories import institution_of, make_patient, upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["\u200b\u200b", "王\u202e芳", "李\x00四", "张\ufffe三"])
def test_registration_refuses_a_name_with_hidden_characters(name: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        patient_register(
            actor=make_actor("requester"), name=name, sex="2", birth_date=dt.date(1980, 1, 1)
        )
    assert list(refused.value.fields) == ["name"]
    with translation.override("zh-hans"):
        assert "姓名" in str(refused.value.fields["name"][0])
    assert not Patient.objects.exists()


def test_a_consent_signer_is_a_name_too() -> None:
    doctor = make_actor("requester")
    patient = make_patient(institution_of(doctor), birth_date=dt.date(1960, 5, 1))
    with pytest.raises(ValidationFailed) as refused:
        consent_record(
            actor=doctor, patient=patient, kind="telemedicine", signed_on=timezone.localdate(),
            signed_by="\u2067王芳\u2069", relationship="self",
            scan=upload(b"%PDF-1.4\n%%EOF\n"),
        )  # fmt: skip
    assert list(refused.value.fields) == ["signed_by"]


def test_a_scan_declaring_absurd_dimensions_is_refused() -> None:
    doctor = make_actor("requester")
    patient = make_patient(institution_of(doctor), birth_date=dt.date(1960, 5, 1))
    with pytest.raises(ValidationFailed) as refused:
        consent_record(
            actor=doctor, patient=patient, kind="telemedicine", signed_on=timezone.localdate(),
            signed_by="王芳", relationship="self",
            scan=upload(png(40_000, 40_000), name="scan.png", content_type="image/png"),
        )  # fmt: skip
    with translation.override("zh-hans"):
        message = str(refused.value.fields["scan"][0])
    assert "40000 × 40000 像素" in message
    assert "50 百万像素" in message
