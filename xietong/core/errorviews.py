"""What a person sees when something goes wrong: a page in their language (or JSON under
/api/), never a stack trace and never a 500 for input we could have refused."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

from .api import too_large_message

log = logging.getLogger(__name__)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _json(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"code": code, "message": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _page(
    request: HttpRequest, template: str, status: int, context: dict[str, Any]
) -> HttpResponse:
    try:
        body = loader.render_to_string(template, context, request=request)
    except Exception:
        # The full page needs the database (navigation, memberships); when it cannot be
        # drawn, the bare page still tells the person what happened.
        log.exception("error page %s could not be rendered; using the bare page", template)
        body = loader.render_to_string("core/error_bare.html", context)
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return request_too_large(request)
    message = _("The request could not be understood. Check what you entered and try again.")
    if _is_api(request):
        return _json(400, "bad_request", message)
    return _page(request, "core/400.html", 400, {"title": _("Bad request"), "message": message})


def request_too_large(request: HttpRequest) -> HttpResponse:
    message = too_large_message()
    if _is_api(request):
        return _json(413, "too_large", message)
    return _page(request, "core/413.html", 413, {"title": _("Too large"), "message": message})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = _("You do not have permission to do this.")
    if _is_api(request):
        return _json(403, "forbidden", message)
    return _page(request, "core/403.html", 403, {"title": _("Not permitted"), "message": message})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = _("This page does not exist, or you do not have access to it.")
    if _is_api(request):
        return _json(404, "not_found", _("Not found."))
    return _page(request, "core/404.html", 404, {"title": _("Not found"), "message": message})


def server_error(request: HttpRequest) -> HttpResponse:
    message = _(
        "Something went wrong on our side. Nothing you entered was saved by the failed step; "
        "please try again, and tell your administrator if it happens again."
    )
    if _is_api(request):
        return _json(500, "server_error", _("Something went wrong on our side."))
    # Drawn without the request's context: the fault may be the database itself.
    body = loader.render_to_string(
        "core/error_bare.html", {"title": _("Error"), "message": message}
    )
    return HttpResponse(body, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    message = _(
        "This form has expired or was sent from another site. Go back, reload the page "
        "and send it again."
    )
    if _is_api(request):
        return _json(403, "csrf_failed", _("The CSRF token is missing or wrong."))
    return _page(
        request, "core/403_csrf.html", 403, {"title": _("Form expired"), "message": message}
    )
