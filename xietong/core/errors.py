"""Errors a service raises. Views and the API turn them into the user's language:
422 with field errors, 404 for missing-or-forbidden, 409 for a conflict with the state."""

from __future__ import annotations

from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Message = str | Promise


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: Message, *, code: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code


class ValidationFailed(DomainError):
    """Bad input. `fields` maps a field name to its messages; "__all__" is for the whole."""

    status = 422
    code = "validation_failed"

    def __init__(self, fields: dict[str, list[Message]], message: Message | None = None) -> None:
        super().__init__(message or _("Please correct the errors below."))
        self.fields = fields

    @classmethod
    def single(cls, field: str, message: Message) -> ValidationFailed:
        return cls({field: [message]})


class Conflict(DomainError):
    status = 409
    code = "conflict"


class NotPermitted(DomainError):
    """An action the actor's role may not take (the object itself is visible)."""

    status = 403
    code = "forbidden"


class NotFound(Http404, DomainError):
    """Missing and forbidden look the same, so nobody learns what exists elsewhere."""

    status = 404
    code = "not_found"

    def __init__(self, message: Message | None = None) -> None:
        DomainError.__init__(self, message or _("Not found."))
