from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy


class CharacterClassValidator:
    """At least three of: lower case, upper case, digits, symbols (等保 password complexity)."""

    def validate(self, password: str, user: object = None) -> None:
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < 3:
            raise ValidationError(
                _(
                    "The password must mix at least three of: lower-case letters, "
                    "upper-case letters, digits and symbols."
                ),
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _(
            "Mix at least three of: lower-case letters, upper-case letters, digits and symbols."
        )


# Django 5.2 asks for this message with "%d", while its Chinese catalogue only has the
# "%(min_length)d" form, so the message would show in English. Naming it here puts it in
# this app's catalogue, which supplies the translation.
_MIN_LENGTH_MESSAGE = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    10,
)
