"""The JSON API's frame: one NinjaAPI, authentication by session or bearer token, and the
translation of domain errors into answers in the user's language."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.types import DictStrAny

from .errors import DomainError, ValidationFailed
from .unstorable import UnstorableText, unstorable_check


class UnsupportedMediaType(Exception):
    """A request body sent as something other than JSON."""


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


class JsonOnlyParser(Parser):
    """Reads a body only when it says it is JSON: a form post or plain text that happens
    to parse as JSON is refused rather than guessed at. Every string read, from the body,
    the query string or a form, is one a text column can hold (core/unstorable.py)."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        if not _is_json(request.content_type or ""):
            raise UnsupportedMediaType(request.content_type)
        data = super().parse_body(request)
        unstorable_check(data)
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> DictStrAny:
        for key, values in data.lists():
            for text in (key, *values):
                unstorable_check(text, where=key)
        return super().parse_querydict(data, list_fields, request)


class ErrorOut(Schema):
    """Every error the API answers: a stable code, a message in the caller's language, and
    for bad input (422) the messages of each field."""

    code: str
    message: str
    fields: dict[str, list[str]] | None = None


def _error(api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str,
           fields: dict[str, list[str]] | None = None) -> HttpResponse:  # fmt: skip
    body: dict[str, Any] = {"code": code, "message": message}
    if fields is not None:
        body["fields"] = fields
    return api.create_response(request, body, status=status)


def _bound_message(kind: str, ctx: dict[str, Any]) -> str:
    # Django's own wording, so its translations serve; the bound is a number or a date.
    if kind == "greater_than_equal":
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("ge")
        }
    return _("Ensure this value is less than or equal to %(limit_value)s.") % {
        "limit_value": ctx.get("le")
    }


def _ninja_field_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path")]
        name = ".".join(loc) or "__all__"
        kind = err.get("type", "")
        if kind == "missing":
            msg = _("This field is required.")
        elif kind in {"string_too_long"}:
            msg = _("This value is too long.")
        elif kind == "string_too_short" and err.get("ctx", {}).get("min_length") == 1:
            msg = _("This field is required.")
        elif kind in {"greater_than_equal", "less_than_equal"}:
            msg = _bound_message(kind, err.get("ctx", {}))
        elif kind.startswith(("int_", "float_", "decimal_")):
            msg = _("Enter a number.")
        elif kind.startswith("date"):
            msg = _("Enter a valid date (YYYY-MM-DD).")
        elif kind in {"enum", "literal_error"}:
            msg = _("Select a valid choice.")
        elif kind == "json_invalid":
            msg = _("The request body is not valid JSON.")
        else:
            msg = _("Enter a valid value.")
        fields.setdefault(name, []).append(str(msg))
    return fields


def _unsupported_media_type(api: NinjaAPI, request: HttpRequest) -> HttpResponse:
    return _error(
        api,
        request,
        415,
        "unsupported_media_type",
        _("Send the request body as JSON (Content-Type: application/json)."),
    )


def _unstorable(api: NinjaAPI, request: HttpRequest, exc: UnstorableText) -> HttpResponse:
    return _error(
        api, request, 422, "validation_failed", _("Please correct the errors below."),
        {exc.field: [exc.message()]},
    )  # fmt: skip


def too_large_message() -> str:
    return _("The request is too large. The limit is %(mb)s MB.") % {
        "mb": settings.XT_UPLOAD_MAX_MB
    }


def install_error_handlers(api: NinjaAPI) -> None:
    """Every error the API answers is JSON {code, message[, fields]} in the user's language.
    The content-type check lives here too: the handlers below tell it from broken JSON."""
    api.parser = JsonOnlyParser()

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # NotFound is both Http404 and DomainError; Http404 comes first in its MRO.
        message = str(exc.message) if isinstance(exc, DomainError) else _("Not found.")
        return _error(api, request, 404, "not_found", message)

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return _error(api, request, 413, "too_large", too_large_message())

    @api.exception_handler(RawPostDataException)
    def on_unreadable_body(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
        # The body was consumed as a form (multipart) before a JSON operation wanted it.
        return _unsupported_media_type(api, request)

    @api.exception_handler(UnstorableText)
    def on_unstorable(request: HttpRequest, exc: UnstorableText) -> HttpResponse:
        return _unstorable(api, request, exc)

    @api.exception_handler(ValidationFailed)
    def on_validation_failed(request: HttpRequest, exc: ValidationFailed) -> HttpResponse:
        fields = {k: [str(m) for m in v] for k, v in exc.fields.items()}
        return _error(api, request, 422, exc.code, str(exc.message), fields)

    @api.exception_handler(DomainError)
    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return _error(api, request, exc.status, exc.code, str(exc.message))

    @api.exception_handler(NinjaValidationError)
    def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields = _ninja_field_errors(list(exc.errors))
        if "__all__" in fields and any(e.get("type") == "json_invalid" for e in exc.errors):
            return _error(api, request, 400, "bad_json", _("The request body is not valid JSON."))
        return _error(
            api, request, 422, "validation_failed", _("Please correct the errors below."), fields
        )

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return _error(api, request, 401, "unauthenticated", _("Sign in or send a valid token."))

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            # Ninja wraps whatever the parser raised; the cause says which answer it is.
            if isinstance(exc.__cause__, UnstorableText):
                return _unstorable(api, request, exc.__cause__)
            if isinstance(exc.__cause__, UnsupportedMediaType):
                return _unsupported_media_type(api, request)
            return _error(api, request, 400, "bad_json", _("The request body is not valid JSON."))
        if exc.status_code == 403 and "CSRF" in str(exc):
            # The session's CSRF check runs even when there is no session: without one the
            # caller is simply not signed in.
            user = getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                return on_unauthenticated(request, AuthenticationError())
            return _error(
                api, request, 403, "csrf_failed", _("The CSRF token is missing or wrong.")
            )
        return _error(api, request, exc.status_code, "error", str(exc))
