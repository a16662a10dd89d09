"""Making a teaching file from a study.

The copy is made from the files as the archive holds them; the archive's study is never
changed. The zip is written to the storage before its row commits, and taken away again if
the row does not commit, so a failure leaves nothing behind."""

from __future__ import annotations

import os
import tempfile
import zipfile
from typing import IO

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Conflict, NotPermitted, ValidationFailed
from xietong.core.workflow.numbers import business_number_next

from ..dicom import dataset_part10
from ..models import Study
from ..pixels import dataset_of
from ..selectors import instances_of
from .access import can_make_teaching_files
from .deidentify import BurnedInText, deidentify, uid_replacer
from .models import TeachingFile

NUMBER_PREFIX = "JX"  # 教学
TITLE_MAX = 120
# Zips larger than this are spooled to a temporary file while they are written.
IN_MEMORY_MAX = 32 * 1024 * 1024


def _title_clean(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationFailed.single("title", _("Give the teaching file a title."))
    if len(title) > TITLE_MAX:
        raise ValidationFailed.single(
            "title", _("The title is at most %(n)d characters.") % {"n": TITLE_MAX}
        )
    return title


def _zip_write(study: Study, number: str, out: IO[bytes]) -> tuple[int, int, set[str]]:
    """The study's instances, de-identified, into `out`: (series, instances, body parts)."""
    new_uid = uid_replacer(secret=os.urandom(32))
    series: set[int] = set()
    body_parts: set[str] = set()
    count = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for instance in instances_of(study).select_related("series"):
            try:
                copy = deidentify(dataset_of(instance), new_uid=new_uid, label=number)
            except BurnedInText:
                raise Conflict(
                    _(
                        "An image of this study has text burned into its pixels that may "
                        "name the patient; it cannot be made into a teaching file."
                    ),
                    code="burned_in_text",
                ) from None
            series.add(instance.series_id)
            if instance.series.body_part:
                body_parts.add(instance.series.body_part)
            count += 1
            name = f"DICOM/{len(series):03d}/{count:05d}.dcm"
            archive.writestr(name, dataset_part10(copy))
    return len(series), count, body_parts


def teaching_file_make(*, actor: Actor, study: Study, title: str) -> TeachingFile:
    """A teaching file from a study the actor was shown (fetched through get_study_for).
    Refuses a study whose images carry burned-in text, and changes nothing then."""
    if not can_make_teaching_files(actor) or actor.institution_id is None:
        raise NotPermitted(_("Your role may not make teaching files."))
    title = _title_clean(title)
    if study.instance_count == 0:
        raise Conflict(_("The study has no images yet."), code="empty_study")
    number = business_number_next(prefix=NUMBER_PREFIX, day=timezone.localdate())
    with tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_MAX) as spool:
        series_count, instance_count, body_parts = _zip_write(study, number, spool)
        size = spool.tell()
        spool.seek(0)
        row = TeachingFile(
            number=number, title=title, modalities=study.modalities.strip("/"),
            body_parts="/".join(sorted(body_parts)), series_count=series_count,
            instance_count=instance_count, size=size, made_by_id=actor.user_id,
            institution_id=actor.institution_id,
        )  # fmt: skip
        row.file = default_storage.save(f"teaching/{row.uuid}.zip", File(spool))
    try:
        with transaction.atomic():
            row.save()
            # The only link between the copy and its source, for those who audit.
            audit_record(
                actor=actor, action="teaching_file.make", resource_type="TeachingFile",
                resource_id=row.uuid, patient_id=study.patient_id,
                detail={"number": number, "study": str(study.uuid),
                        "instances": instance_count},
            )  # fmt: skip
    except BaseException:
        default_storage.delete(row.file)
        raise
    return row
