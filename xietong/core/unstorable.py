"""Characters no text column can hold, refused where the API reads its input.

JSON may spell half of a UTF-16 surrogate pair ("\\ud800"); Python decodes it into a string
that cannot be encoded as UTF-8, so the database driver failed with a server error when a
service saved it. PostgreSQL also refuses U+0000 in text. Checking each field would miss the
next one added, so the API's parser checks every string of a JSON body, a query string and
a form once, before any schema or service sees them."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

# A surrogate left in a decoded string is always a lone one: JSON decoding joins pairs.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class UnstorableText(Exception):
    """A string of the request holds a character that cannot be stored."""

    def __init__(self, *, field: str, char: str) -> None:
        super().__init__(f"{field}: U+{ord(char):04X}")
        self.field = field
        self.char = char

    def message(self) -> str:
        code = f"U+{ord(self.char):04X}"
        if self.char == "\x00":
            return _("The text contains %(code)s, a null character, which cannot be stored.") % {
                "code": code
            }
        return _(
            "The text contains %(code)s, half of a UTF-16 surrogate pair, which is not a "
            "character. Type the text again."
        ) % {"code": code}


def _printable(name: str) -> str:
    # The field's name goes back in the answer, so its own bad characters are replaced.
    return _UNSTORABLE.sub("\ufffd", name)


def unstorable_check(value: Any, *, where: str = "") -> None:
    """Raises UnstorableText naming the first string (a value or an object's key) in
    `value` that holds a character no text column can hold; `where` is its path."""
    if isinstance(value, str):
        found = _UNSTORABLE.search(value)
        if found:
            raise UnstorableText(field=_printable(where) or "__all__", char=found.group())
    elif isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            unstorable_check(key, where=path)
            unstorable_check(item, where=path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            unstorable_check(item, where=f"{where}.{index}" if where else str(index))
