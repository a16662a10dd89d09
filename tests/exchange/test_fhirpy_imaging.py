"""An independent FHIR client (fhirpy) searching imaging reports and studies on the live
server: the platform's own report and the hospital's pushed one in one paged search, the
study by its DICOM UID and modality, and nothing for a stranger."""

from __future__ import annotations

import pytest
from fhirpy import SyncFHIRClient

from xietong.exchange.tests.records import bearer_for
from xietong.imaging.reading.tests.test_fhir_search import _pushed_report
from xietong.imaging.reading.tests.test_outputs import _signed
from xietong.imaging.reading.tests.world import world_build
from xietong.patients.tests.factories import an_institution

pytestmark = pytest.mark.django_db(transaction=True)


def test_reports_and_studies_searched_by_a_client(fhir_base: str) -> None:
    w = world_build()
    r = _signed(w)
    _pushed_report(w, "XR-9", "2020-03-04T10:00:00+08:00")
    client = SyncFHIRClient(fhir_base, authorization=bearer_for(w.hospital))

    reports = client.resources("DiagnosticReport").search(patient=str(w.patient.uuid))
    assert reports.count() == 2
    every = reports.limit(1).fetch_all()  # one a page, following the next links
    assert len(every) == 2 and every[0]["id"] == str(r.uuid)
    assert every[1]["conclusion"] == "两肺未见异常"
    final = client.resources("DiagnosticReport").search(category="RAD", status="final")
    oldest = final.sort("date").first()
    assert oldest is not None and oldest["conclusion"] == "两肺未见异常"

    studies = client.resources("ImagingStudy").search(
        identifier=f"urn:dicom:uid|urn:oid:{w.study.study_instance_uid}"
    )
    found = studies.fetch()
    assert [s["id"] for s in found] == [str(w.study.uuid)]
    modality = w.study.modality_list[0]
    assert (
        client.resources("ImagingStudy")
        .search(patient=str(w.patient.uuid), modality=modality)
        .count()
        == 1
    )

    stranger = SyncFHIRClient(fhir_base, authorization=bearer_for(an_institution(level="county")))
    assert stranger.resources("DiagnosticReport").search(patient=str(w.patient.uuid)).count() == 0
    assert stranger.resources("ImagingStudy").search(modality=modality).count() == 0
