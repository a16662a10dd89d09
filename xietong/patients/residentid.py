"""The resident identity number (居民身份证号, GB 11643-1999).

Eighteen characters: a six-digit GB/T 2260 area code, the birth date YYYYMMDD, a three-digit
sequence whose last digit gives the sex (odd male, even female), and an ISO 7064 MOD 11-2
check character. The check catches every single-digit error, so a mistyped number is refused
here rather than silently matching somebody else's record."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.errors import Message

from .checkdigit import resident_id_check_char
from .models import Sex
from .validation import interpolate

_SHAPE = re.compile(r"\d{17}[\dX]")
# First two digits of a GB/T 2260 code: the provinces, autonomous regions and municipalities,
# Taiwan (71), Hong Kong (81) and Macao (82).
_PROVINCE_RANGES = ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65), (71, 71), (81, 82))
PROVINCE_PREFIXES = frozenset(str(n) for lo, hi in _PROVINCE_RANGES for n in range(lo, hi + 1))
EARLIEST_BIRTH = dt.date(1900, 1, 1)


class ResidentIdInvalid(ValueError):
    """The number is not a valid resident ID; `message` says why in the user's language."""

    def __init__(self, code: str, message: Message) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ResidentId:
    value: str
    area_code: str
    birth_date: dt.date
    sex: str  # Sex.MALE or Sex.FEMALE


def resident_id_normalise(value: str) -> str:
    # People type the check character in lower case, and paste numbers with spaces.
    return "".join(value.split()).upper()


def resident_id_parse(value: str, *, today: dt.date | None = None) -> ResidentId:
    """The birth date and sex a valid number carries; ResidentIdInvalid otherwise."""
    number = resident_id_normalise(value)
    if len(number) != 18:
        raise ResidentIdInvalid(
            "length",
            interpolate(
                _("A resident ID has 18 characters; this one has %(count)d."), count=len(number)
            ),
        )
    if not _SHAPE.fullmatch(number):
        raise ResidentIdInvalid(
            "characters", _("A resident ID is 17 digits followed by a digit or the letter X.")
        )
    area = number[:6]
    if area[:2] not in PROVINCE_PREFIXES:
        raise ResidentIdInvalid(
            "area",
            interpolate(_("The first six digits (%(area)s) are not a valid area code."), area=area),
        )
    try:
        born = dt.datetime.strptime(number[6:14], "%Y%m%d").date()
    except ValueError:
        raise ResidentIdInvalid(
            "date",
            interpolate(
                _("Digits 7 to 14 (%(date)s) are not a real calendar date."), date=number[6:14]
            ),
        ) from None
    if born > (today or timezone.localdate()):
        raise ResidentIdInvalid(
            "future",
            interpolate(
                _("The birth date in this resident ID (%(date)s) is in the future."),
                date=born.isoformat(),
            ),
        )
    if born < EARLIEST_BIRTH:
        raise ResidentIdInvalid(
            "too_old",
            interpolate(
                _("The birth date in this resident ID (%(date)s) is before 1900."),
                date=born.isoformat(),
            ),
        )
    expected = resident_id_check_char(number[:17])
    if number[17] != expected:
        raise ResidentIdInvalid(
            "check",
            _("The check character is wrong: a typing error is likely. Please check the number."),
        )
    sex = Sex.MALE if int(number[16]) % 2 else Sex.FEMALE
    return ResidentId(value=number, area_code=area, birth_date=born, sex=sex)


def resident_id_mask(value: str | None) -> str:
    """410102********123X: enough to tell two patients apart in a list, not to copy the ID."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]
