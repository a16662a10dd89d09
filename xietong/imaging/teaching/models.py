"""A teaching file: a de-identified copy of a study, kept as a zip of DICOM files in the
storage. It names no patient and says nothing of the study it came from: that link is in
the audit log only, which few may read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xietong.core.models import BaseModel
from xietong.directory.models import Institution

from ..labels import body_part_label


class TeachingFile(BaseModel):
    number = models.CharField(_("number"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=120)
    modalities = models.CharField(_("modalities"), max_length=100, blank=True, default="")
    body_parts = models.CharField(_("body parts"), max_length=100, blank=True, default="")
    series_count = models.PositiveIntegerField(default=0)
    instance_count = models.PositiveIntegerField(default=0)
    size = models.PositiveBigIntegerField(default=0)
    file = models.CharField(max_length=200)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("made at")
    )

    class Meta:
        app_label = "imaging"
        verbose_name = _("teaching file")
        verbose_name_plural = _("teaching files")
        indexes = [models.Index(fields=["institution", "-created_at"], name="imaging_teach_inst")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def body_part_labels(self) -> str:
        return "、".join(body_part_label(p) for p in self.body_parts.split("/") if p)
