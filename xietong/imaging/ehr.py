"""The patient's studies in our archive as entries of their health record (exchange/ehr/):
the record's page asks this source once per view, with the patient it fetched and recorded."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xietong.core.actor import Actor
from xietong.exchange.ehr.entries import SOURCE_LIMIT, Entry
from xietong.exchange.ehr.kinds import KIND_BY_CODE
from xietong.exchange.push.columns import LOCAL

from .models import Study
from .selectors import studies_visible_to
from .viewer import viewer_url

if TYPE_CHECKING:
    from xietong.patients.models import Patient


def _when(study: Study) -> dt.datetime | None:
    """DICOM DA and TM (the sender's wall clock) as a moment."""
    day, time = study.study_date, (study.study_time or "").split(".")[0]
    try:
        moment = dt.datetime.strptime(day + (time + "000000")[:6], "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return moment.replace(tzinfo=LOCAL)


def _entry(study: Study, patient: Patient) -> Entry:
    where = study.institution
    modalities = " / ".join(study.modality_list)
    entry = Entry(
        kind=KIND_BY_CODE["imaging"], at=_when(study), institution_id=where.pk,
        institution=where.short_name or where.name,
        title=study.study_description or modalities or _("Imaging study"),
    )  # fmt: skip
    images = ngettext("%(n)d image", "%(n)d images", study.instance_count) % {
        "n": study.instance_count
    }
    entry.lines.append(" · ".join(p for p in (modalities, images) if p))
    if study.instance_count:
        entry.links.append((_("Open in viewer"), viewer_url(study.study_instance_uid)))
    section = reverse("patients:detail", args=[patient.uuid]) + "#imaging"
    entry.links.append((_("Imaging studies"), section))
    return entry


def imaging_ehr_entries(actor: Actor, patient: Patient) -> list[Entry]:
    studies = (
        studies_visible_to(actor)
        .filter(patient_id=patient.pk)
        .select_related("institution")
        .order_by("-study_date", "-study_time", "-id")[:SOURCE_LIMIT]
    )
    return [_entry(s, patient) for s in studies]
