"""The addresses DICOMweb answers carry (RetrieveURL): absolute, as clients follow them."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse


def study_url(request: HttpRequest, study: str) -> str:
    return request.build_absolute_uri(reverse("dicomweb:study", args=[study]))


def series_url(request: HttpRequest, study: str, series: str) -> str:
    return request.build_absolute_uri(reverse("dicomweb:series", args=[study, series]))


def instance_url(request: HttpRequest, study: str, series: str, sop: str) -> str:
    return request.build_absolute_uri(reverse("dicomweb:instance", args=[study, series, sop]))


def studies_base(request: HttpRequest) -> str:
    """…/dicomweb/studies, to which a search's many RetrieveURLs add their UIDs."""
    return request.build_absolute_uri(reverse("dicomweb:studies"))
