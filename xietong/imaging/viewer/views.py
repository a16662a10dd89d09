"""The viewer's page, its configuration and its files. The page and the files carry no
patient data: OHIF fetches the studies from /dicomweb/ as the signed-in user, where access
is decided and every retrieval recorded (ADR 22). The page asks to sign in first, so a link
opened without a session comes back to it after the login."""

from __future__ import annotations

import json
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import files

# OHIF's languages that stand for ours (i18next's codes).
OHIF_LANGUAGES = {"zh-hans": "zh", "en": "en-US"}
# OHIF keeps the language it detected in this cookie and reads it before the browser's.
LANGUAGE_COOKIE = "i18next"


def _language() -> str:
    return OHIF_LANGUAGES.get(get_language() or settings.LANGUAGE_CODE, "zh")


@require_GET
@never_cache
@login_required
def index(request: HttpRequest) -> HttpResponseBase:
    """OHIF's single page for each of its routes (/viewer/, /viewer/viewer?…)."""
    if not files.installed():
        raise Http404(_("The viewer is not installed on this server."))
    # The token OHIF's requests that store (a saved report) send back (viewer-start.js).
    get_token(request)
    context = {
        "bundle": f"{reverse('viewer:index')}{files.app_bundle()}",
        "base": reverse("viewer:index"),
        "language": get_language() or settings.LANGUAGE_CODE,
    }
    response = render(request, "imaging/viewer/index.html", context)
    response.set_cookie(LANGUAGE_COOKIE, _language(), path=reverse("viewer:index"), samesite="Lax")
    return files.with_viewer_policy(response)


def viewer_settings(request: HttpRequest) -> dict[str, object]:
    """What the viewer's start-up script (static imaging/viewer-start.js) needs of us."""
    dicomweb = request.build_absolute_uri("/dicomweb").rstrip("/")
    return {
        "base": reverse("viewer:index"),
        "dicomweb": dicomweb,
        "name": _("Xietong imaging"),
        "back": _("Back"),
        "home": reverse("home"),
        "logo": static("imaging/viewer-logo.svg"),
        "csrfCookie": settings.CSRF_COOKIE_NAME,
        "csrfHeader": "X-CSRFToken",
        "language": _language(),
    }


@require_GET
@never_cache
def app_config(request: HttpRequest) -> HttpResponse:
    """The data the start-up script builds OHIF's window.config from: made for each request
    because the server's address and the user's language are the request's."""
    body = (
        "window.xietongViewer = " + json.dumps(viewer_settings(request), ensure_ascii=False) + ";\n"
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    files.with_viewer_policy(response)
    return response


@require_GET
def route(request: HttpRequest, path: str) -> HttpResponseBase:
    """A file of OHIF's build, or, for a path that names no file (one of OHIF's routes),
    the viewer's page."""
    found = files.find(path)
    if found is not None:
        return files.file_response(request, found)
    if PurePosixPath(path).suffix or path.startswith(".") or "/." in path:
        # A missing or withheld file, not a route: say so rather than answer with a page.
        raise Http404(path)
    return index(request)
