"""The browser's upload of studies (static/imaging/upload.js, templates/imaging/_upload.html),
offered on the patient's page and on a consultation request: the files are read in the
browser (a zip unpacked, the DICOM headers read) and each instance is sent on its own STOW-RS
request with the session, so a dropped line loses one instance at most and the archive's
QIDO answer tells what is already kept. The server side is the archive's own STOW-RS and
QIDO-RS; this module only says who is offered the upload and gives the script its words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor

from .access import can_store

if TYPE_CHECKING:
    from xietong.patients.models import Patient

# The script's words, in the page's language ({name} stands for a value it fills in).
TEXTS = {
    "reading": _("Reading the files…"),
    "notDicom": _("Not a DICOM file: it has no DICM marker at byte 128."),
    "unreadable": _("The DICOM header cannot be read: the file is damaged or cut short."),
    "noUids": _("The file lacks its study, series or instance UID."),
    "dicomdir": _("The disc's index of its files (DICOMDIR), not an image: nothing to send."),
    "badZip": _("The zip file cannot be unpacked."),
    "emptyZip": _("The zip file holds no files."),
    "images": _("{n} images"),
    "patientId": _("Patient ID"),
    "otherPatient": _(
        "The files name another patient than this page's: unless their patient ID, name and "
        "birth date agree with this patient's record, the study will wait in the "
        "reconciliation list."
    ),
    "progress": _("{sent} of {total} images · {bytes} of {totalBytes}"),
    "checking": _("Asking the archive which images it already has…"),
    "already": _("{n} were already in the archive and are not sent again."),
    "done": _("Every image is in the archive."),
    "failed": _("{n} images were not stored:"),
    "retry": _("Send the failed images again"),
    "network": _("The connection dropped before the archive answered."),
    "refusedStatus": _("The archive refused the request (HTTP {status})."),
    "placedHere": _("The study is on this patient's list of studies."),
    "chosenHere": _("The study is on this patient's list and chosen for this consultation."),
    "notHere": _(
        "The archive kept the study, but not for this patient: the patient ID, name or birth "
        "date in the files did not agree with a patient of your institution, or the study "
        "belongs to another patient. It waits in your institution's reconciliation list."
    ),
    "reconcile": _("Open the reconciliation list"),
    "send": _("Send to the archive"),
    "sending": _("Sending…"),
    "refusedTitle": _("Files not sent"),
    "studyFallback": _("Study without a description"),
}


def study_upload_for(
    actor: Actor, *, patient: Patient, choose: bool = False
) -> dict[str, Any] | None:
    """What _upload.html needs, or None when the actor may not send studies to the archive.
    `choose`: a study that arrives for the patient is ticked in the request's study list."""
    if not can_store(actor):
        return None
    return {
        "texts": TEXTS,
        "stow_url": reverse("dicomweb:studies"),
        "qido_url": reverse("dicomweb:all_instances"),
        "reconcile_url": reverse("imaging:reconcile"),
        "patient_name": patient.name,
        "choose": choose,
        "texts_id": f"dicom-upload-texts-{patient.uuid.hex}",
    }
