"""The addresses DICOMweb answers carry (RetrieveURL): absolute, as clients follow them.
Made from the studies' address, reversed once per answer, with the UIDs appended (as
reverse() quotes them): a STOW-RS answer names every instance it stored, and reverse() for
each cost more than storing a small one."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpRequest
from django.urls import reverse

# What reverse() leaves unquoted in a path segment (RFC 3986's sub-delimiters, ":", "@",
# "~"); a "/" is quoted, as the URLconf's <str:…> matches none.
_SAFE = "!$&'()*+,;=:@~"


def studies_base(request: HttpRequest) -> str:
    """…/dicomweb/studies, to which a search's many RetrieveURLs add their UIDs."""
    return request.build_absolute_uri(reverse("dicomweb:studies"))


def study_url(base: str, study: str) -> str:
    return f"{base}/{quote(study, safe=_SAFE)}"


def series_url(base: str, study: str, series: str) -> str:
    return f"{study_url(base, study)}/series/{quote(series, safe=_SAFE)}"


def instance_url(base: str, study: str, series: str, sop: str) -> str:
    return f"{series_url(base, study, series)}/instances/{quote(sop, safe=_SAFE)}"
