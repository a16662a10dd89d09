"""The OpenAPI document names every error an operation can answer. Most come from the frame
(core/api.py), not from the operation: broken JSON, a body that is not JSON, a body too
large, input the schema refuses, no credentials, a missing CSRF token, an unknown id. Each
operation's shape says which of those it can meet, so they are declared here, once, from
that shape; the errors only a service knows (409 for a conflict with the state, 403 for a
role) stay declared beside the operation."""

from __future__ import annotations

import re
from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.operation import Operation
from ninja.schema import NinjaGenerateJsonSchema
from ninja.types import DictStrAny

from .api import ErrorOut

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
BODY_SOURCES = {"body", "form", "file"}
# A path converter ({uuid:name}) turns a malformed value into 404 before any validation.
_CONVERTED = re.compile(r"{\w+:(\w+)}")

DESCRIPTIONS = {
    400: "The body is not valid JSON (code `bad_json`).",
    401: "No credentials, or a token that is wrong, expired or revoked (code `unauthenticated`).",
    403: "The session's CSRF token is missing or wrong, or the caller's role may not do this.",
    404: "Not found, or not visible to the caller: the two look the same.",
    413: "The request body is larger than XT_UPLOAD_MAX_MB (code `too_large`).",
    415: "The body is not sent as JSON (code `unsupported_media_type`).",
    422: "Input refused, with the messages of each field in `fields` (code `validation_failed`).",
}


def _sources(operation: Operation) -> set[str]:
    return {m.__ninja_param_source__ for m in operation.models}


def _unconverted_path_params(operation: Operation) -> bool:
    declared = set(re.findall(r"{(?:\w+:)?(\w+)}", operation.path))
    return bool(declared - set(_CONVERTED.findall(operation.path)))


def frame_errors(operation: Operation) -> list[int]:
    """The statuses the frame may answer for `operation`, from its parameters and auth."""
    sources = _sources(operation)
    found: set[int] = set()
    if "body" in sources:
        found |= {400, 415}
    if sources & BODY_SOURCES:
        found.add(413)
    if sources & (BODY_SOURCES | {"query"}) or _unconverted_path_params(operation):
        found.add(422)
    if "path" in sources:
        found.add(404)
    if operation.auth_callbacks:
        found.add(401)
        if set(operation.methods) & UNSAFE:
            found.add(403)
    return sorted(found)


class ErrorDeclaringSchema(OpenAPISchema):
    def responses(self, operation: Operation) -> dict[int, DictStrAny]:
        result = super().responses(operation)
        for status in frame_errors(operation):
            result.setdefault(status, {"description": DESCRIPTIONS[status]})
            if "content" not in result[status]:
                result[status]["content"] = {
                    self.api.renderer.media_type: {"schema": self._error_ref()}
                }
        return dict(sorted(result.items()))

    def _error_ref(self) -> dict[str, Any]:
        name = ErrorOut.__name__
        if name not in self.schemas:
            self.schemas[name] = ErrorOut.model_json_schema(
                ref_template=REF_TEMPLATE,
                schema_generator=NinjaGenerateJsonSchema,
                mode="serialization",
            )
        return {"$ref": REF_TEMPLATE.format(model=name)}


class XietongApi(NinjaAPI):
    """NinjaAPI whose document declares the frame's errors (see ErrorDeclaringSchema)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: DictStrAny | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return ErrorDeclaringSchema(self, path_prefix)
