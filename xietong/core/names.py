"""Checks on the characters of a person's or an institution's name, shared by every app that
keeps one (patients, practitioners, users' display names, consent signers).

A name is shown to other people, printed on slips and opinions and searched for. Characters
that cannot be seen, or that reorder the text around them, let a name look like another one
on screen while comparing differently (or look empty), so they are refused where a name is
typed, with a message that says why."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .errors import Message

# Embeddings and overrides (U+202A–202E) and isolates (U+2066–2069): they reverse or reorder
# the text that follows, so "张三" can be made to read as someone else on screen.
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))

# Characters that draw nothing but are not in the "format" or "separator" categories.
_BLANK_LOOKING = frozenset("\u034f\u115f\u1160\u2800\u3164\uffa0")

MESSAGE_INVISIBLE = _("The name has no visible characters. Type the name itself.")
MESSAGE_CONTROL = _(
    "The name contains hidden control characters (such as text-direction marks). Type the "
    "name instead of pasting it."
)
MESSAGE_NONCHARACTER = _(
    "The name contains characters that are not valid text. Type the name instead of pasting it."
)


def _is_noncharacter(ch: str) -> bool:
    # Unicode reserves U+FDD0–FDEF and the last two code points of every plane; lone
    # surrogates (which a JSON body can carry) are not text either.
    code = ord(ch)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE or 0xD800 <= code <= 0xDFFF


def _is_invisible(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category in {"Cf", "Cc", "Zs", "Zl", "Zp"} or ch in _BLANK_LOOKING


def name_problem(value: str) -> Message | None:
    """What is wrong with the characters of this name, or None. An empty value is left to
    the caller's own "required" check."""
    if not value:
        return None
    if any(_is_noncharacter(ch) for ch in value):
        return MESSAGE_NONCHARACTER
    if any(ch in BIDI_CONTROLS or unicodedata.category(ch) == "Cc" for ch in value):
        # NUL and the other control codes included: nothing typed into a name field has them.
        return MESSAGE_CONTROL
    if all(_is_invisible(ch) for ch in value):
        return MESSAGE_INVISIBLE
    return None


def validate_name(value: str) -> None:
    """The same check as a Django validator, for model and form fields (the admin's)."""
    problem: Any = name_problem(value)  # lazy: worded in the language of the page showing it
    if problem is not None:
        raise ValidationError(problem, code="name_characters")
