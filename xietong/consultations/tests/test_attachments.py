"""A request and its records: one service for the pages and the API
(xietong/consultations/services/attachments.py)."""

from __future__ import annotations

from typing import Any

import pytest

from xietong.consultations import services as s
from xietong.consultations.models import Consultation
from xietong.core.errors import ValidationFailed
from xietong.patients.tests.factories import pdf_bytes, upload
from xietong.records.selectors import documents_for_source

from .world import COMPLETE, World

pytestmark = pytest.mark.django_db


def _values(world: World) -> dict[str, Any]:
    return {**COMPLETE, "wanted_department": world.department.code}


def test_a_request_is_created_with_its_records(world: World) -> None:
    c = s.consultation_create_with_attachments(
        actor=world.requester,
        patient=world.patient,
        files=[upload(pdf_bytes(), "ecg.pdf")],
        files_kind="document",
        files_title="心电图",
        **_values(world),
    )
    filed = documents_for_source(actor=world.requester, source=c.source)
    assert [d.title for d in filed] == ["心电图"]


def test_a_refused_upload_leaves_no_draft(world: World) -> None:
    with pytest.raises(ValidationFailed) as refused:
        s.consultation_create_with_attachments(
            actor=world.requester,
            patient=world.patient,
            files=[upload(b"not a pdf at all", "x.pdf")],
            files_kind="document",
            files_title="检查",
            **_values(world),
        )
    assert set(refused.value.fields) == {"upload"}
    assert not Consultation.objects.exists()
