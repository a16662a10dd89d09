"""/dicomweb/: the resources of PS3.18 (no trailing slashes, as clients build them)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from . import frames, qido, stow, wado

app_name = "dicomweb"

STUDY = "studies/<str:study_uid>"
SERIES = f"{STUDY}/series/<str:series_uid>"
INSTANCE = f"{SERIES}/instances/<str:sop_uid>"
FRAMES = f"{INSTANCE}/frames/<str:frame_list>"


# The views they call check the CSRF token of a session's POST (auth.py).
@csrf_exempt
def studies(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
    """GET searches (QIDO-RS), POST stores (STOW-RS)."""
    if request.method == "POST":
        return stow.stow(request, **kwargs)
    return qido.studies(request, **kwargs)


@csrf_exempt
def study(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
    """GET retrieves the study (WADO-RS), POST stores into it (STOW-RS)."""
    if request.method == "POST":
        return stow.stow(request, **kwargs)
    return wado.retrieve(request, **kwargs)


urlpatterns = [
    path("studies", studies, name="studies"),
    path("series", qido.series, name="all_series"),
    path("instances", qido.instances, name="all_instances"),
    path(STUDY, study, name="study"),
    path(f"{STUDY}/metadata", wado.metadata, name="study_metadata"),
    path(f"{STUDY}/rendered", frames.rendered, name="study_rendered"),
    path(f"{STUDY}/thumbnail", frames.rendered, {"thumbnail": True}, name="study_thumbnail"),
    path(f"{STUDY}/series", qido.series, name="study_series"),
    path(f"{STUDY}/instances", qido.instances, name="study_instances"),
    path(SERIES, wado.retrieve, name="series"),
    path(f"{SERIES}/metadata", wado.metadata, name="series_metadata"),
    path(f"{SERIES}/rendered", frames.rendered, name="series_rendered"),
    path(f"{SERIES}/thumbnail", frames.rendered, {"thumbnail": True}, name="series_thumbnail"),
    path(f"{SERIES}/instances", qido.instances, name="series_instances"),
    path(INSTANCE, wado.retrieve, name="instance"),
    path(f"{INSTANCE}/metadata", wado.metadata, name="instance_metadata"),
    path(f"{INSTANCE}/rendered", frames.rendered, name="instance_rendered"),
    path(f"{INSTANCE}/thumbnail", frames.rendered, {"thumbnail": True}, name="instance_thumbnail"),
    path(FRAMES, frames.frames, name="frames"),
    path(f"{FRAMES}/rendered", frames.rendered, name="frame_rendered"),
    path(f"{FRAMES}/thumbnail", frames.rendered, {"thumbnail": True}, name="frame_thumbnail"),
]
