"""What the model compares, derived from a source record's raw values, vectorised.

A record arrives as strings. Here it gains what the comparisons need: the resident ID
normalised, whether it is valid (18 characters, a real birth date, the right GB 11643 check
character), the birth date and sex the ID carries, the name without spaces or middle dots and
its pinyin without tones (so 王伟 and 王玮 read the same), the birth year.

An ID of the wrong length or check character stays on the record as `rid` (a wrong ID one
edit from a valid one is evidence of a match) but `rid_valid` is false: it never counts as a
verified identity, and clustering never keeps two valid IDs apart by it (clustering.py)."""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from xietong.patients.checkdigit import CHECK_CHARS, WEIGHTS

FEATURE_COLUMNS = (
    "unique_id",
    "rid",
    "rid_valid",
    "name",
    "name_py",
    "birth_date",
    "birth_year",
    "id_birth_date",
    "sex",
    "phone",
    "county",
)

_NAME_NOISE = re.compile(r"[\s·•・.]")


@cache
def _char_pinyin(char: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(char, style=Style.NORMAL)[0]


def name_clean(name: str) -> str:
    return _NAME_NOISE.sub("", name)


def name_pinyin(name: str) -> str:
    """王伟 → wangwei: tones and characters aside, what the name sounds like."""
    return "".join(_char_pinyin(c) for c in name)


def _pinyin_all(names: npt.NDArray[np.str_]) -> npt.NDArray[np.str_]:
    # Far fewer distinct names than records, and fewer distinct characters still.
    unique, inverse = np.unique(names, return_inverse=True)
    spoken = np.array([name_pinyin(n) for n in unique.tolist()], dtype=object)
    return spoken[inverse]


def resident_id_facts(
    ids: npt.NDArray[np.str_],
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.datetime64]]:
    """Per ID: valid or not, and the birth date its digits 7-14 carry (NaT when they are not
    a real date, or the ID is not 18 characters)."""
    n = len(ids)
    valid = np.zeros(n, dtype=bool)
    born = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    lengths = np.char.str_len(ids)
    full = np.flatnonzero(lengths == 18)
    if not len(full):
        return valid, born
    raw = np.frombuffer(
        np.char.encode(ids[full], "ascii", errors="replace").astype("S18").tobytes(),
        dtype=np.uint8,
    ).reshape(-1, 18)
    digits = raw[:, :17].astype(np.int64) - ord("0")
    last = raw[:, 17]
    shaped = ((digits >= 0) & (digits <= 9)).all(axis=1) & (
        ((last >= ord("0")) & (last <= ord("9"))) | (last == ord("X"))
    )
    year = digits[:, 6] * 1000 + digits[:, 7] * 100 + digits[:, 8] * 10 + digits[:, 9]
    month = digits[:, 10] * 10 + digits[:, 11]
    day = digits[:, 12] * 10 + digits[:, 13]
    plausible = shaped & (year >= 1900) & (month >= 1) & (month <= 12) & (day >= 1)
    # A real calendar date: the day falls inside its month.
    start = (
        np.clip(year - 1970, -70, 200).astype("datetime64[Y]").astype("datetime64[M]")
        + np.clip(month - 1, 0, 11).astype("timedelta64[M]")
    ).astype("datetime64[D]")
    date = start + (day - 1).astype("timedelta64[D]")
    real = plausible & (date.astype("datetime64[M]") == start.astype("datetime64[M]"))
    check = np.frombuffer(CHECK_CHARS.encode(), dtype=np.uint8)[
        (np.where(shaped[:, None], digits, 0) @ np.array(WEIGHTS, dtype=np.int64)) % 11
    ]
    valid[full] = real & (check == last)
    born[full[real]] = date[real]
    return valid, born


def features_table(columns: dict[str, npt.NDArray[np.str_]]) -> pa.Table:
    """The comparison columns of records given as equal-length string arrays ("" = empty)."""
    n = len(columns["record_id"])
    if n == 0:
        # numpy's string functions refuse empty arrays: the schema of one blank row, sliced.
        blank = {name: np.array([""]) for name in columns}
        return features_table(blank).slice(0, 0)
    rid = np.char.upper(np.char.replace(columns["resident_id"], " ", ""))
    valid, id_born = resident_id_facts(rid)
    names = columns["name"]
    names = np.array([name_clean(x) for x in names.tolist()], dtype=object)
    spoken = _pinyin_all(names.astype(str))
    birth = columns["birth_date"]
    birth_days = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    given = birth != ""
    birth_days[given] = birth[given].astype("datetime64[D]")
    year = np.where(given, birth_days.astype("datetime64[Y]").astype(np.int64) + 1970, -1)
    # The 17th character of a valid ID is odd for men (1) and even for women (2).
    id_sex = np.full(n, "", dtype="U1")
    seventeenth = np.array([s[16] for s in rid[valid].tolist()], dtype="U1")
    id_sex[valid] = np.where(seventeenth.astype(np.int64) % 2 == 1, "1", "2")
    sex = np.where(columns["sex"] != "", columns["sex"], id_sex)

    def text(values: npt.NDArray[np.str_] | npt.NDArray[np.object_]) -> pa.Array:
        return pa.array(values.tolist(), type=pa.string(), mask=(values == ""))

    return pa.table(
        {
            "unique_id": pa.array(np.arange(n, dtype=np.int64)),
            "rid": text(rid),
            "rid_valid": pa.array(valid),
            "name": text(names),
            "name_py": text(spoken),
            "birth_date": pa.array(birth_days, type=pa.date32(), from_pandas=True),
            "birth_year": pa.array(year, mask=~given),
            "id_birth_date": pa.array(id_born, type=pa.date32(), from_pandas=True),
            "sex": text(sex),
            "phone": text(columns["phone"]),
            "county": text(columns["county"]),
        }
    )
