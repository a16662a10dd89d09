"""The archive's index: patient studies, their series and instances (the files themselves
are in the storage). The columns are the attributes QIDO-RS searches and answers with, so a
search reads the index only; each instance keeps its DICOM JSON (without bulk data) as
written at ingest, so WADO-RS metadata is a read, not a parse."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xietong.core.models import BaseModel
from xietong.directory.models import Institution
from xietong.patients.models import Patient

UID_MAX = 64  # DICOM UI values are at most 64 characters


class Study(BaseModel):
    """One study as the sending institution sent it. `patient` is empty until the study is
    matched to (or linked by a person to) a patient of that institution; until then it waits
    in the institution's reconciliation list and nobody else sees it."""

    study_instance_uid = models.CharField(max_length=UID_MAX, unique=True)
    # The foreign keys' own indexes are left out where a composite index below starts with
    # the same column: each index costs every insert of a million-row table.
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent by"),
        db_index=False,
    )
    patient = models.ForeignKey(
        Patient,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # The patient as the sender wrote them (DICOM PN and DA kept as sent).
    dicom_patient_id = models.CharField(max_length=64, blank=True, default="")
    patient_name = models.CharField(max_length=200, blank=True, default="")
    # Upper-cased, the component separators kept: what a PatientName search compares.
    patient_name_search = models.CharField(max_length=200, blank=True, default="")
    patient_birth_date = models.CharField(max_length=8, blank=True, default="")
    patient_sex = models.CharField(max_length=16, blank=True, default="")
    study_date = models.CharField(max_length=8, blank=True, default="")
    study_time = models.CharField(max_length=16, blank=True, default="")
    accession_number = models.CharField(max_length=16, blank=True, default="")
    study_id = models.CharField(max_length=16, blank=True, default="")
    study_description = models.CharField(max_length=64, blank=True, default="")
    referring_physician_name = models.CharField(max_length=200, blank=True, default="")
    # "/CT/MR/": a delimited list, so that a search for one modality is one LIKE.
    modalities = models.CharField(max_length=100, blank=True, default="")
    series_count = models.PositiveIntegerField(default=0)
    instance_count = models.PositiveIntegerField(default=0)
    # Why the study was not linked on arrival (matching.py), shown in the reconciliation list.
    unmatched_reason = models.CharField(max_length=40, blank=True, default="")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("imaging study")
        verbose_name_plural = _("imaging studies")
        indexes = [
            models.Index(fields=["patient", "-study_date"], name="imaging_study_patient"),
            models.Index(fields=["institution", "patient"], name="imaging_study_inst"),
            models.Index(fields=["dicom_patient_id"], name="imaging_study_pid"),
            models.Index(fields=["accession_number"], name="imaging_study_accession"),
            models.Index(fields=["study_date"], name="imaging_study_date"),
            # PatientName "WANG*" is a prefix LIKE: PostgreSQL's pattern operator class lets
            # it use the index whatever the database's collation (SQLite ignores it).
            models.Index(
                fields=["patient_name_search"],
                name="imaging_study_pname",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.study_instance_uid

    @property
    def modality_list(self) -> list[str]:
        return [m for m in self.modalities.split("/") if m]


class Series(models.Model):
    study = models.ForeignKey(
        Study, on_delete=models.CASCADE, related_name="series", db_index=False
    )
    series_instance_uid = models.CharField(max_length=UID_MAX, unique=True)
    modality = models.CharField(max_length=16, blank=True, default="")
    series_number = models.IntegerField(null=True, blank=True)
    series_description = models.CharField(max_length=64, blank=True, default="")
    body_part = models.CharField(max_length=16, blank=True, default="")
    series_date = models.CharField(max_length=8, blank=True, default="")
    instance_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["study", "series_number"], name="imaging_series_study"),
            models.Index(fields=["modality"], name="imaging_series_modality"),
        ]

    def __str__(self) -> str:
        return self.series_instance_uid


class Instance(models.Model):
    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, related_name="instances", db_index=False
    )
    # Kept beside the series so that a study's instances are one index range.
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="+", db_index=False)
    sop_instance_uid = models.CharField(max_length=UID_MAX, unique=True)
    sop_class_uid = models.CharField(max_length=UID_MAX)
    instance_number = models.IntegerField(null=True, blank=True)
    rows = models.PositiveIntegerField(null=True, blank=True)
    columns = models.PositiveIntegerField(null=True, blank=True)
    number_of_frames = models.PositiveIntegerField(default=1)
    # As received: the archive never transcodes what it keeps.
    transfer_syntax_uid = models.CharField(max_length=UID_MAX)
    # The instance as DICOM JSON (PS3.18 F.2) without its bulk data, ready to send.
    metadata = models.TextField()
    file = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    # How it came: stow, upload, cstore.
    route = models.CharField(max_length=10)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["series", "instance_number"], name="imaging_instance_series"),
            models.Index(fields=["study", "instance_number"], name="imaging_instance_study"),
        ]

    def __str__(self) -> str:
        return self.sop_instance_uid


from .reading.models import ImagingReport, ReadingEvent, ReadingRequest  # noqa: E402,F401
from .teaching.models import TeachingFile  # noqa: E402,F401 - registered with the app
