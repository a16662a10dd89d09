"""The index's own tables: who is one person, the pairs a person must judge, and merges
(docs/adr/0034-online-index.md).

A `Patient` row is a source record as registration and the exchange make it (one per resident
ID, or one per registration without a valid one). The index does not change those rows to
link them: a `Person` groups them through one `IndexEntry` per record. A merge is the other,
stronger act: everything that pointed at one record is moved to another, and remembered so
that it can be moved back."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xietong.core.models import BaseModel
from xietong.directory.models import Institution
from xietong.patients.models import Patient


class Person(BaseModel):
    """One resident as the index knows them. Its golden record is read from its entries'
    patients by the survivorship rules, never typed in."""

    class Meta:
        verbose_name = _("indexed person")
        verbose_name_plural = _("indexed persons")

    def __str__(self) -> str:
        return f"P-{self.pk}"


class LinkHow(models.TextChoices):
    NEW = "new", _("first record of a new person")
    AUTO = "auto", _("linked by its score")
    REVIEW = "review", _("linked by a person's decision")
    MERGE = "merge", _("linked by a merge")


class IndexEntry(models.Model):
    """A source record's place in the index: its person, how it came there, and the match
    features that blocking looks up (the resident ID, name, birth date and phone are read from
    the patient row, which has indexes on them)."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="index_entry")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="entries")
    # Toneless pinyin of the name without spaces or dots (王伟 and 王玮 → wangwei).
    name_pinyin = models.CharField(max_length=120)
    birth_year = models.PositiveSmallIntegerField()
    how = models.CharField(max_length=8, choices=LinkHow.choices)
    # The match weight that linked it to the person's other records; null for the first.
    weight = models.FloatField(null=True, blank=True)
    linked_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["name_pinyin", "birth_year"], name="mpi_entry_pinyin")]

    def __str__(self) -> str:
        return f"{self.patient_id} ∈ {self.person_id}"


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("waiting")
    SAME = "same", _("the same person")
    DISTINCT = "distinct", _("not the same person")
    SKIPPED = "skipped", _("skipped")


class MatchReview(BaseModel):
    """A pair scored between the thresholds, for a registrar or a data steward to judge. A
    decision is a training label and binds every later automatic run: a pair judged distinct
    is never linked by a score, one judged the same is never split by one."""

    record = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    # Whose registrars see the task: the institution that registered `record`.
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    weight = models.FloatField()
    # Comparison name → the level it reached ("rid": "one edit from a valid ID", ...): the why.
    levels = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record", "candidate"], name="mpi_review_pair")
        ]
        indexes = [
            models.Index(fields=["institution", "status", "-weight"], name="mpi_review_queue")
        ]

    def __str__(self) -> str:
        return f"{self.record_id} ≟ {self.candidate_id} ({self.status})"


class PatientMerge(BaseModel):
    """`merged` was found to be `survivor`: every row that pointed at `merged` was moved to
    `survivor`, and `moved` remembers which ({"app_label.model.field": [pk, ...]}), so that an
    unmerge moves exactly those back, with whatever edits they gained since."""

    survivor = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    moved = models.JSONField(default=dict)
    reason = models.CharField(_("reason"), max_length=300)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            # A record is merged into one survivor at a time.
            models.UniqueConstraint(
                fields=["merged"],
                condition=models.Q(undone_at__isnull=True),
                name="mpi_merge_live",
            )
        ]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"
