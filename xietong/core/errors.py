"""Errors a service raises. Views and the API turn them into the user's language.

A refusal is decided by one rule, asked in this order (docs/architecture.md, "Refusals"):

1. Not visible to the actor (missing, or not theirs to know about) -> `NotFound`, 404.
2. Visible, but the actor may not start this kind of action at all, in any state (their
   role never does it) -> `NotPermitted`, 403.
3. They could, but not now or not as this party: the object's state does not allow it, or
   they are the wrong party to it (not the assigned expert, not the receiving side)
   -> `Conflict`, 409.

Bad input is `ValidationFailed`, 422. Whatever the answer, nothing was changed.
"""

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
    """Rule 3: the action exists for this actor's role, but the object's state does not allow
    it now (already signed, cancelled, the slot was taken meanwhile) or the actor is not the
    party it belongs to (an expert who is not assigned, the desk that sent the referral)."""

    status = 409
    code = "conflict"


class NotPermitted(DomainError):
    """Rule 2: the object is visible, but the actor's role may not start this kind of action
    in any state (a supervisor who only watches, a requester asked to run quality control).
    When the object itself is not visible, raise NotFound instead: a 403 would confirm that
    it exists."""

    status = 403
    code = "forbidden"


class NotFound(Http404, DomainError):
    """Rule 1: missing and not visible look the same, so nobody learns what exists
    elsewhere. Checked before any other refusal."""

    status = 404
    code = "not_found"

    def __init__(self, message: Message | None = None) -> None:
        DomainError.__init__(self, message or _("Not found."))
