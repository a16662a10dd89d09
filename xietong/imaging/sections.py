"""The "Imaging studies" section of the patient's page: the studies the viewer may see,
newest first, each with what a clinician scans for (date, modality, what was examined, how
much arrived, from where)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpRequest

from xietong.core.actor import Actor
from xietong.patients.access import can_view_patients
from xietong.patients.sections import PatientSection

from .access import can_reconcile
from .labels import body_part_label
from .models import Series, Study
from .reading.access import can_request
from .selectors import studies_of_patient_for
from .upload import study_upload_for
from .viewer import viewer_url

if TYPE_CHECKING:
    from xietong.patients.models import Patient


# Series of these modalities hold documents about the images, not images: structured reports
# (the measurements a reader saves in the viewer come back as one, docs/adr/0023-viewer.md).
REPORT_MODALITIES = frozenset({"SR"})


@dataclass(frozen=True)
class StudyRow:
    study: Study
    body_parts: list[str]
    # Where "open in viewer" goes (viewer/links.py); empty for a study with no instance yet,
    # and the row then offers no link.
    viewer_url: str = ""
    # Measurement reports (SR instances) in the study, and the series that hold them.
    reports: int = 0
    report_series: int = 0

    @property
    def body_part_labels(self) -> list[str]:
        return [body_part_label(p) for p in self.body_parts]

    @property
    def study_date(self) -> str:
        """DICOM DA (YYYYMMDD) as the rest of the pages write dates."""
        d = self.study.study_date
        return f"{d[:4]}-{d[4:6]}-{d[6:8]}" if len(d) == 8 and d.isdigit() else d

    @property
    def image_series(self) -> int:
        return max(self.study.series_count - self.report_series, 0)

    @property
    def images(self) -> int:
        return max(self.study.instance_count - self.reports, 0)


def study_rows(studies: list[Study]) -> list[StudyRow]:
    """The studies with the body parts of their series and their measurement reports, read
    in one query for them all."""
    parts: dict[int, set[str]] = defaultdict(set)
    reports: dict[int, int] = defaultdict(int)
    report_series: dict[int, int] = defaultdict(int)
    found = Series.objects.filter(study_id__in=[s.pk for s in studies]).values_list(
        "study_id", "modality", "body_part", "instance_count"
    )
    for study_id, modality, part, count in found:
        if modality.upper() in REPORT_MODALITIES:
            reports[study_id] += count
            report_series[study_id] += 1
        elif part:
            parts[study_id].add(part)
    return [
        StudyRow(
            study=s,
            body_parts=sorted(parts[s.pk]),
            viewer_url=viewer_url(s.study_instance_uid) if s.instance_count else "",
            reports=reports[s.pk],
            report_series=report_series[s.pk],
        )
        for s in studies
    ]


def imaging_section(request: HttpRequest, actor: Actor, patient: Patient) -> PatientSection | None:
    # The page fetched the patient through get_patient_for; the list is recorded as one
    # search of the patient's studies (studies_of_patient_for), as the records section does.
    if not can_view_patients(actor):
        return None
    rows = study_rows(studies_of_patient_for(actor=actor, patient=patient))
    # Those who link their institution's studies may take one off the wrong patient.
    unlink_for = actor.institution_id if can_reconcile(actor) else None
    upload = study_upload_for(actor, patient=patient)
    # Its requesting doctors may send their institution's studies to be read (reading/).
    read_for = actor.institution_id if can_request(actor) else None
    context = {"study_rows": rows, "unlink_for": unlink_for, "upload": upload,
               "read_for": read_for}  # fmt: skip
    return PatientSection("imaging/_patient_section.html", context, order=15)
