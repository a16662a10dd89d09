"""Where "open in viewer" goes."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse


def viewer_url(study_instance_uid: str) -> str:
    """The viewer's page of one study. OHIF's measurement-tracking mode ("viewer") opens the
    studies named in StudyInstanceUIDs and asks our DICOMweb for them as the signed-in user,
    so the link shows nothing to someone who may not see the study."""
    route = reverse("viewer:route", args=["viewer"])
    return f"{route}?{urlencode({'StudyInstanceUIDs': study_instance_uid})}"
