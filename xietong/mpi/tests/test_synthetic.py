"""The synthetic population: deterministic, valid where it should be, wrong where the desks
are wrong, at the rates asked for."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from xietong.mpi.features import name_pinyin
from xietong.mpi.synthetic import Records, records_generate
from xietong.patients.checkdigit import resident_id_check_char
from xietong.patients.residentid import ResidentIdInvalid, resident_id_parse

PEOPLE = 20_000
RECORDS = 45_000


@pytest.fixture(scope="module")
def population() -> Records:
    return records_generate(people=PEOPLE, records=RECORDS, seed=5)


def test_the_same_seed_gives_the_same_records(population: Records) -> None:
    again = records_generate(people=PEOPLE, records=RECORDS, seed=5)
    other = records_generate(people=PEOPLE, records=RECORDS, seed=6)
    assert list(again.rows())[:200] == list(population.rows())[:200]
    assert (again.person == population.person).all()
    assert list(other.rows())[:200] != list(population.rows())[:200]


def test_every_person_has_a_record_and_the_count_is_exact(population: Records) -> None:
    assert len(population) == RECORDS
    assert len(np.unique(population.person)) == PEOPLE


def test_resident_ids_are_missing_mistyped_or_valid_at_the_rates(population: Records) -> None:
    ids = population.columns["resident_id"]
    missing = (ids == "").mean()
    assert 0.11 < missing < 0.13
    present = ids[ids != ""].tolist()
    invalid = []
    for value in present:
        try:
            resident_id_parse(value, today=dt.date(2026, 12, 31))
        except ResidentIdInvalid as error:
            invalid.append(error.code)
    assert 0.025 < len(invalid) / len(present) < 0.035
    # A one-digit error or a swap of neighbours is always caught by the check character.
    # (A wrong digit in the year can also make the date impossible.)
    assert set(invalid) <= {"check", "date", "area", "future", "too_old"}


def test_a_mistyped_id_is_one_digit_or_one_swap_from_the_persons_true_id(
    population: Records,
) -> None:
    ids = population.columns["resident_id"]
    person = population.person
    by_person: dict[int, set[str]] = {}
    for value, who in zip(ids.tolist(), person.tolist(), strict=True):
        if value:
            by_person.setdefault(who, set()).add(value)
    checked = 0
    for values in by_person.values():
        valid = [v for v in values if v[17] == resident_id_check_char(v[:17])]
        assert len(valid) <= 1
        if not valid:
            continue
        for typo in values - set(valid):
            a, b = valid[0], typo
            differ = [i for i in range(18) if a[i] != b[i]]
            swap = len(differ) == 2 and differ[1] == differ[0] + 1 and a[differ[0]] == b[differ[1]]
            assert len(differ) == 1 or swap, (a, b)
            checked += 1
    assert checked > 100


def test_homophones_read_the_same_and_dates_swap_day_and_month(population: Records) -> None:
    names = population.columns["name"].tolist()
    births = population.columns["birth_date"].tolist()
    first_name: dict[int, str] = {}
    first_birth: dict[int, str] = {}
    homophones = swaps = 0
    for who, name, birth in zip(population.person.tolist(), names, births, strict=True):
        seen = first_name.setdefault(who, name)
        if seen != name and name_pinyin(seen) == name_pinyin(name):
            homophones += 1
        seen_birth = first_birth.setdefault(who, birth)
        if birth and seen_birth and birth != seen_birth:
            y1, m1, d1 = seen_birth.split("-")
            y2, m2, d2 = birth.split("-")
            swaps += (y1, m1, d1) == (y2, d2, m2)
    assert homophones > 500
    assert swaps > 100
