"""Why an entry or a Bundle was refused, told in Chinese and in English: the gateway's log is
read by a hospital's IT, whichever language they work in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.functional import Promise

HTTP_REASONS = {
    200: "OK",
    201: "Created",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
}


def status_line(status: int) -> str:
    return f"{status} {HTTP_REASONS.get(status, '')}".strip()


def both_languages(message: str | Promise, **params: Any) -> str:
    """The message in Chinese, then in English."""
    texts = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            texts.append(str(message) % params if params else str(message))
    return " / ".join(texts)


@dataclass
class Refusal(Exception):
    """An entry (or a whole Bundle) the platform does not accept, and why."""

    status: int
    code: str  # an OperationOutcome issue type: invalid, value, not-found, security, ...
    message: str | Promise
    params: dict[str, Any] = field(default_factory=dict)
    detail: str = ""  # added verbatim (a validator's own words)
    expression: str = ""

    def outcome(self) -> dict[str, Any]:
        text = both_languages(self.message, **self.params)
        if self.detail:
            text = f"{text}: {self.detail}"
        issue: dict[str, Any] = {"severity": "error", "code": self.code, "diagnostics": text}
        if self.expression:
            issue["expression"] = [self.expression]
        return {"resourceType": "OperationOutcome", "issue": [issue]}


def outcome_of(refusals: list[Refusal]) -> dict[str, Any]:
    issues = [issue for r in refusals for issue in r.outcome()["issue"]]
    return {"resourceType": "OperationOutcome", "issue": issues}
