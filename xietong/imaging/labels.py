"""What a study's coded attributes say, in the reader's language: Body Part Examined
(0018,0015) carries DICOM's defined terms (PS3.16 CID 4031: "CHEST", "HEAD"), which a
county doctor should not have to read in English. A term we do not know is shown as sent."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

BODY_PARTS: dict[str, Promise] = {
    "ABDOMEN": _("abdomen"),
    "ANKLE": _("ankle"),
    "BRAIN": _("brain"),
    "BREAST": _("breast"),
    "CHEST": _("chest"),
    "CHESTABDOMEN": _("chest and abdomen"),
    "CSPINE": _("cervical spine"),
    "ELBOW": _("elbow"),
    "EXTREMITY": _("extremity"),
    "FOOT": _("foot"),
    "HAND": _("hand"),
    "HEAD": _("head"),
    "HEART": _("heart"),
    "HIP": _("hip"),
    "KNEE": _("knee"),
    "LIVER": _("liver"),
    "LSPINE": _("lumbar spine"),
    "NECK": _("neck"),
    "PELVIS": _("pelvis"),
    "SHOULDER": _("shoulder"),
    "SKULL": _("skull"),
    "SPINE": _("spine"),
    "TSPINE": _("thoracic spine"),
    "WHOLEBODY": _("whole body"),
    "WRIST": _("wrist"),
}


def body_part_label(term: str) -> str:
    """The term's name in the active language, or the term itself."""
    label = BODY_PARTS.get(term.strip().upper())
    return str(label) if label is not None else term
