from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from xietong.patients.models import Sex
from xietong.patients.residentid import (
    PROVINCE_PREFIXES,
    ResidentIdInvalid,
    resident_id_check_char,
    resident_id_mask,
    resident_id_parse,
)

TODAY = dt.date(2026, 11, 22)


def _refusal(value: str, today: dt.date = TODAY) -> ResidentIdInvalid:
    with pytest.raises(ResidentIdInvalid) as caught:
        resident_id_parse(value, today=today)
    return caught.value


def _with_check(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def test_standard_example_is_a_woman_born_1949_12_31() -> None:
    parsed = resident_id_parse("11010519491231002X", today=TODAY)
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.sex == Sex.FEMALE
    assert parsed.area_code == "110105"


def test_lower_case_x_and_spaces_are_normalised() -> None:
    parsed = resident_id_parse(" 110105 19491231 002x ", today=TODAY)
    assert parsed.value == "11010519491231002X"


def test_odd_seventeenth_digit_is_male() -> None:
    number = _with_check("41010219800101001")
    assert resident_id_parse(number, today=TODAY).sex == Sex.MALE


def test_born_before_1900_is_refused() -> None:
    # A valid number by its check character, but our rule keeps births from 1900 on.
    assert resident_id_check_char("44052418800101001") == "4"
    refusal = _refusal("440524188001010014")
    assert refusal.code == "too_old"
    with translation.override("en"):
        assert "before 1900" in str(refusal.message)


def test_wrong_length_says_how_many_characters() -> None:
    refusal = _refusal("11010519491231002")
    assert refusal.code == "length"
    with translation.override("en"):
        assert str(refusal.message) == "A resident ID has 18 characters; this one has 17."


def test_letters_inside_are_refused() -> None:
    assert _refusal("1101051949123A002X").code == "characters"


def test_unknown_province_is_refused() -> None:
    refusal = _refusal(_with_check("99010519491231002"))
    assert refusal.code == "area"
    with translation.override("en"):
        assert "990105" in str(refusal.message)


def test_impossible_date_is_refused() -> None:
    refusal = _refusal(_with_check("41010219490230002"))
    assert refusal.code == "date"


def test_future_birth_is_refused() -> None:
    refusal = _refusal(_with_check("41010220261123002"))
    assert refusal.code == "future"


def test_wrong_check_character_is_refused() -> None:
    refusal = _refusal("110105194912310021")
    assert refusal.code == "check"


def test_messages_speak_chinese_by_default() -> None:
    refusal = _refusal("110105194912310021")
    with translation.override("zh-hans"):
        assert "校验码" in str(refusal.message)


def test_mask_keeps_area_and_last_four() -> None:
    assert resident_id_mask("41010219800101123X") == "410102********123X"
    assert resident_id_mask(None) == ""


@st.composite
def valid_ids(draw: st.DrawFn) -> tuple[str, dt.date, str]:
    prefix = draw(st.sampled_from(sorted(PROVINCE_PREFIXES)))
    rest = draw(st.integers(min_value=0, max_value=9999))
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY))
    seq = draw(st.integers(min_value=0, max_value=999))
    first17 = f"{prefix}{rest:04d}{born:%Y%m%d}{seq:03d}"
    return _with_check(first17), born, Sex.MALE if seq % 2 else Sex.FEMALE


@given(valid_ids())
def test_every_generated_number_parses(case: tuple[str, dt.date, str]) -> None:
    number, born, sex = case
    parsed = resident_id_parse(number, today=TODAY)
    assert (parsed.value, parsed.birth_date, parsed.sex) == (number, born, sex)


@given(valid_ids(), st.integers(min_value=0, max_value=17), st.integers(min_value=1, max_value=10))
def test_any_single_character_changed_is_refused(
    case: tuple[str, dt.date, str], position: int, shift: int
) -> None:
    number = case[0]
    alphabet = "0123456789X" if position == 17 else "0123456789"
    current = alphabet.index(number[position])
    replacement = alphabet[(current + shift) % len(alphabet)]
    if replacement == number[position]:
        replacement = alphabet[(current + 1) % len(alphabet)]
    mutated = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(ResidentIdInvalid):
        resident_id_parse(mutated, today=TODAY)
