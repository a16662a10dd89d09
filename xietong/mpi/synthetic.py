"""A synthetic province of residents and the records hospitals hold about them, with the truth.

Each person has a resident ID with a valid GB 11643 check character, a name drawn from common
surnames and given-name characters, a birth date, a home county (GB/T 2260) and a phone. Each
hospital record of the person carries the errors registration desks make, at the rates the
master patient index must cope with (issue 13):

- 12% of records have no resident ID; 3% of those with one have it mistyped, half by one digit,
  half by two neighbouring digits swapped (both fail the check, as GB 11643 intends);
- 5% have one character of the name replaced by one that reads alike (王伟 → 王玮), 0.5% by
  one that does not;
- 2% have day and month swapped in the birth date (only where both are 12 or less), 0.5%
  another day of the same year;
- 10% of people moved county: their later records carry the new one;
- 15% of people changed phone: some records carry the old one, 8% none at all.

Everything is drawn from one numpy generator seeded by the caller, so a seed gives the same
population. Drawing is vectorised: a million people and 2,250,000 records take seconds."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from xietong.patients.checkdigit import CHECK_CHARS, WEIGHTS

from .names import GIVEN_GROUPS, SURNAME_HOMOPHONES, SURNAMES

COLUMNS = ("record_id", "source", "resident_id", "name", "sex", "birth_date", "phone", "county")


@dataclass(frozen=True)
class ErrorRates:
    no_resident_id: float = 0.12
    resident_id_typo: float = 0.03  # of the records that carry one
    name_homophone: float = 0.05
    name_typo: float = 0.005  # one character replaced by an unrelated one
    birth_date_typo: float = 0.005  # another day of the same year
    sex_wrong: float = 0.002
    birth_day_month_swapped: float = 0.02
    no_birth_date: float = 0.005
    no_sex: float = 0.01
    moved_county: float = 0.10  # of people
    changed_phone: float = 0.15  # of people
    no_phone: float = 0.08


@dataclass
class Records:
    """Column arrays of the records (strings, "" when empty) and, per record, its person."""

    columns: dict[str, npt.NDArray[np.str_]]
    person: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.person)

    def rows(self) -> Iterator[tuple[str, ...]]:
        return zip(*(self.columns[name].tolist() for name in COLUMNS), strict=True)

    def csv_write(self, path: Path) -> None:
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            writer.writerows(self.rows())


def county_codes() -> npt.NDArray[np.str_]:
    """County-level GB/T 2260 codes: the home province's prefectures (41xx) with their districts
    (xx02-xx05) and counties (xx21-xx28), and a few prefectures of neighbouring provinces."""
    codes = [
        f"41{prefecture:02d}{county:02d}"
        for prefecture in range(1, 18)
        for county in (*range(2, 6), *range(21, 29))
    ]
    for province in ("13", "34", "37", "42", "61"):
        codes += [f"{province}01{county:02d}" for county in (*range(2, 6), *range(21, 25))]
    return np.array(codes)


def _digits(strings: npt.NDArray[np.str_], width: int) -> npt.NDArray[np.uint8]:
    """ASCII digit strings of equal width as a (n, width) matrix of their digit values."""
    raw = np.frombuffer(strings.astype(f"S{width}").tobytes(), dtype=np.uint8)
    return (raw.reshape(-1, width) - ord("0")).astype(np.uint8)


def _text(matrix: npt.NDArray[np.uint8]) -> npt.NDArray[np.str_]:
    width = matrix.shape[1]
    return np.frombuffer(matrix.astype(np.uint8).tobytes(), dtype=f"S{width}").astype(f"U{width}")


def check_chars(first17: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """The GB 11643 check character (as an ASCII code) of each row of 17 digit values."""
    remainder = (first17.astype(np.int64) @ np.array(WEIGHTS, dtype=np.int64)) % 11
    return np.frombuffer(CHECK_CHARS.encode(), dtype=np.uint8)[remainder]


def _weighted(rng: np.random.Generator, weights: list[int], size: int) -> npt.NDArray[np.int64]:
    p = np.array(weights, dtype=np.float64)
    return rng.choice(len(weights), size=size, p=p / p.sum())


def _names(rng: np.random.Generator, sex: npt.NDArray[np.int8]) -> npt.NDArray[np.str_]:
    n = len(sex)
    surnames = np.array([s for s, _ in SURNAMES])
    surname = surnames[_weighted(rng, [w for _, w in SURNAMES], n)]
    # Each group's characters are given in falling shares: 1, 1/2, 1/3…
    chars: list[str] = []
    male_w: list[float] = []
    female_w: list[float] = []
    for group, usual_sex, weight in GIVEN_GROUPS:
        for rank, char in enumerate(group, start=1):
            chars.append(char)
            share = weight / rank
            male_w.append(share * (0.1 if usual_sex == "F" else 1.0))
            female_w.append(share * (0.1 if usual_sex == "M" else 1.0))
    pool = np.array(chars)
    given1 = np.empty(n, dtype="U1")
    given2 = np.empty(n, dtype="U1")
    for code, weights in ((1, male_w), (2, female_w)):
        mask = sex == code
        p = np.array(weights) / sum(weights)
        given1[mask] = pool[rng.choice(len(pool), size=int(mask.sum()), p=p)]
        given2[mask] = pool[rng.choice(len(pool), size=int(mask.sum()), p=p)]
    # A third of people have a one-character given name.
    single = rng.random(n) < 0.33
    given2[single] = ""
    return np.char.add(np.char.add(surname, given1), given2)


def _homophone(rng: np.random.Generator, names: npt.NDArray[np.str_]) -> npt.NDArray[np.str_]:
    """Each name with one character replaced by another that reads the same, where it can."""
    alike: dict[str, str] = {}
    for group in (*(g for g, _, _ in GIVEN_GROUPS), *SURNAME_HOMOPHONES):
        for char in group:
            alike[char] = group
    out = []
    picks = rng.random((len(names), 2))
    for name, (where, which) in zip(names.tolist(), picks.tolist(), strict=True):
        # Given names are misheard more often than surnames.
        positions = [i for i, c in enumerate(name) if len(alike.get(c, "")) > 1]
        given = [i for i in positions if i > 0] or positions
        if not given:
            out.append(name)
            continue
        i = given[int(where * len(given))]
        others = alike[name[i]].replace(name[i], "")
        out.append(name[:i] + others[int(which * len(others))] + name[i + 1 :])
    return np.array(out)


def _mistyped(rng: np.random.Generator, names: npt.NDArray[np.str_]) -> npt.NDArray[np.str_]:
    """Each name with one given-name character replaced by an unrelated common one."""
    pool = "".join(g for g, _, _ in GIVEN_GROUPS)
    out = []
    picks = rng.integers(0, len(pool), size=len(names))
    for name, pick in zip(names.tolist(), picks.tolist(), strict=True):
        i = len(name) - 1 if len(name) > 1 else 0
        out.append(name[:i] + pool[pick] + name[i + 1 :])
    return np.array(out)


def _resident_ids(
    rng: np.random.Generator,
    county: npt.NDArray[np.str_],
    birth: npt.NDArray[np.datetime64],
    sex: npt.NDArray[np.int8],
) -> npt.NDArray[np.str_]:
    n = len(sex)
    ymd = np.char.replace(np.datetime_as_string(birth, unit="D"), "-", "")
    # The sequence number's last digit is odd for men and even for women; redrawn until no
    # two people share a number.
    seq = rng.integers(0, 500, size=n) * 2 + (sex == 1)
    while True:
        body = np.char.add(np.char.add(county, ymd), np.char.zfill(seq.astype(str), 3))
        _, first, counts = np.unique(body, return_index=True, return_counts=True)
        clash = np.ones(n, dtype=bool)
        clash[first[counts == 1]] = False
        clash[first[counts > 1]] = False
        if not clash.any():
            break
        seq[clash] = rng.integers(0, 500, size=int(clash.sum())) * 2 + (sex[clash] == 1)
    digits = _digits(body, 17)
    check = check_chars(digits)
    return np.char.add(body, np.frombuffer(check.tobytes(), dtype="S1").astype("U1"))


def _typos(rng: np.random.Generator, ids: npt.NDArray[np.str_]) -> npt.NDArray[np.str_]:
    """Each ID with one digit changed or two neighbouring different digits swapped; the
    result always fails the check (a swap of two equal digits would change nothing)."""
    matrix = np.frombuffer(ids.astype("S18").tobytes(), dtype=np.uint8).reshape(-1, 18).copy()
    n = len(ids)
    rows = np.arange(n)
    swap = rng.random(n) < 0.5
    pos = rng.integers(0, 17, size=n)
    # Substitution of one of the 17 digits by another digit.
    old = matrix[rows, pos]
    new = (old - ord("0") + rng.integers(1, 10, size=n)) % 10 + ord("0")
    sub = ~swap
    matrix[rows[sub], pos[sub]] = new[sub]
    # Transposition of positions p, p+1 (within the 17 digits), moved where they differ.
    p = np.minimum(pos, 15)
    for _ in range(16):
        same = swap & (matrix[rows, p] == matrix[rows, p + 1])
        if not same.any():
            break
        p[same] = (p[same] + 1) % 16
    do = swap & (matrix[rows, p] != matrix[rows, p + 1])
    a, b = matrix[rows[do], p[do]].copy(), matrix[rows[do], p[do] + 1].copy()
    matrix[rows[do], p[do]], matrix[rows[do], p[do] + 1] = b, a
    # A substitution or swap that still passes the check is impossible for MOD 11-2 with one
    # digit; a swap of the 17th digit with the check character is not made (p <= 15).
    return np.frombuffer(matrix.tobytes(), dtype="S18").astype("U18")


def _phones(rng: np.random.Generator, n: int) -> npt.NDArray[np.str_]:
    prefixes = np.array(["13", "15", "17", "18", "19", "14", "16"])
    head = prefixes[rng.choice(len(prefixes), size=n, p=[0.3, 0.25, 0.1, 0.2, 0.08, 0.04, 0.03])]
    body = rng.integers(0, 10**9, size=n).astype(str)
    return np.char.add(head, np.char.zfill(body, 9))


def records_generate(
    *,
    people: int,
    records: int,
    sources: int = 300,
    seed: int = 13,
    rates: ErrorRates | None = None,
) -> Records:
    """`records` hospital records (at least one per person) of `people` residents."""
    if records < people:
        raise ValueError("every person has at least one record")
    rates = rates or ErrorRates()
    rng = np.random.default_rng(seed)
    counties = county_codes()
    # Most people live in the home province's counties; some in the neighbouring ones.
    county_w = [10 if c.startswith("41") else 2 for c in counties]

    # People.
    sex = rng.integers(1, 3, size=people).astype(np.int8)
    born = np.datetime64("1930-01-01") + rng.integers(0, 34_000, size=people).astype(
        "timedelta64[D]"
    )
    home = counties[_weighted(rng, county_w, people)]
    resident_id = _resident_ids(rng, home, born, sex)
    name = _names(rng, sex)
    phone = _phones(rng, people)
    moved_to = np.where(
        rng.random(people) < rates.moved_county,
        counties[_weighted(rng, county_w, people)],
        home,
    )
    new_phone = np.where(rng.random(people) < rates.changed_phone, _phones(rng, people), phone)

    # Records: one per person, the rest spread at random over people.
    person = np.concatenate([np.arange(people), rng.integers(0, people, size=records - people)])
    person = person[rng.permutation(records)]
    n = records
    r_id = resident_id[person].copy()
    typo = rng.random(n) < rates.resident_id_typo
    r_id[typo] = _typos(rng, r_id[typo])
    r_id[rng.random(n) < rates.no_resident_id] = ""

    r_name = name[person].copy()
    misheard = rng.random(n) < rates.name_homophone
    r_name[misheard] = _homophone(rng, r_name[misheard])
    mistyped = rng.random(n) < rates.name_typo
    r_name[mistyped] = _mistyped(rng, r_name[mistyped])

    b = born[person]
    iso = np.datetime_as_string(b, unit="D")
    months = (b.astype("datetime64[M]").astype(np.int64) % 12 + 1).astype(np.int64)
    days = (b - b.astype("datetime64[M]")).astype(np.int64) + 1
    swappable = (days <= 12) & (days != months)
    # About 36% of dates can be swapped: the rate is of all records.
    swapped = swappable & (rng.random(n) < rates.birth_day_month_swapped / 0.36)
    years = b.astype("datetime64[Y]").astype(np.int64) + 1970
    alt = np.char.add(
        np.char.add(np.char.add(years.astype(str), "-"), np.char.zfill(days.astype(str), 2)),
        np.char.add("-", np.char.zfill(months.astype(str), 2)),
    )
    r_birth = np.where(swapped, alt, iso)
    # A wrong day of the right year (and month, mostly: the day is typed again).
    wrong_day = rng.random(n) < rates.birth_date_typo
    shifted = b[wrong_day] + rng.integers(1, 28, size=int(wrong_day.sum())).astype("timedelta64[D]")
    r_birth[wrong_day] = np.where(
        shifted.astype("datetime64[Y]") == b[wrong_day].astype("datetime64[Y]"),
        np.datetime_as_string(shifted, unit="D"),
        r_birth[wrong_day],
    )
    r_birth[rng.random(n) < rates.no_birth_date] = ""

    r_sex = sex[person].astype(str)
    flipped = rng.random(n) < rates.sex_wrong
    r_sex[flipped] = np.where(r_sex[flipped] == "1", "2", "1")
    r_sex[rng.random(n) < rates.no_sex] = ""
    # A person who moved or changed phone: about half of their records are from after.
    after = rng.random(n) < 0.5
    r_county = np.where(after, moved_to[person], home[person])
    r_phone = np.where(after, new_phone[person], phone[person])
    r_phone[rng.random(n) < rates.no_phone] = ""

    source_ids = np.char.add("H", np.char.zfill(np.arange(1, sources + 1).astype(str), 4))
    # Big hospitals hold more records than village clinics.
    r_source = source_ids[_weighted(rng, [int(1000 / (i + 1)) + 5 for i in range(sources)], n)]
    record_id = np.char.add("R", np.char.zfill(np.arange(1, n + 1).astype(str), 8))
    columns = {
        "record_id": record_id,
        "source": r_source,
        "resident_id": r_id,
        "name": r_name,
        "sex": r_sex,
        "birth_date": r_birth,
        "phone": r_phone,
        "county": r_county,
    }
    return Records(columns=columns, person=person.astype(np.int64))
