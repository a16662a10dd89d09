"""Input types the API's schemas share, so that what a service or a column accepts is both
enforced and shown in the OpenAPI document, the same way in every app.

* Day: a date within the years a clinic deals in. Python takes any year from 1 to 9999,
  and a day's arithmetic near either end (the day after, the week before) overflowed as
  a server error.
* text(): a string with the column's maximum length, checked by the schema where no
  service did (a longer one reached PostgreSQL, which refused it with a server error), or
  shown in the document where the service checks it already; where the service refuses
  an empty one, minLength 1 in the document; the service still words that refusal, so that
  every missing field is reported at once in the user's language.
* number(): an integer whose range the service checks, shown in the document."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field
from pydantic.json_schema import JsonDict

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2199, 12, 31)

Day = Annotated[dt.date, Field(ge=EARLIEST, le=LATEST)]


def text(
    default: str | None = "", *, most: int | None = None, required: bool = False,
    checked: bool = False, description: str | None = None,
) -> Any:  # fmt: skip
    """A string field of at most `most` characters (the column's length), checked by the
    schema unless the service already `checked` it with a message of its own; when
    `required`, documented as non-empty (minLength 1) while the service enforces it."""
    extra: JsonDict = {"minLength": 1} if required else {}
    if checked and most is not None:
        extra["maxLength"] = most
    return Field(
        default, max_length=None if checked else most, description=description,
        json_schema_extra=extra or None,
    )  # fmt: skip


def number(default: int | None = 0, *, least: int, most: int | None = None) -> Any:
    """An integer the service checks against `least`..`most` with its own message (which
    names the range): the bounds are shown in the document, the service refuses the rest."""
    bounds: JsonDict = {"minimum": least}
    if most is not None:
        bounds["maximum"] = most
    return Field(default, json_schema_extra=bounds)
