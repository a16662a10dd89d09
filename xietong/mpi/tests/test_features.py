"""What the model compares, derived from a record's raw values."""

from __future__ import annotations

import datetime as dt

import numpy as np

from xietong.mpi.features import features_table, name_pinyin, resident_id_facts
from xietong.mpi.synthetic import COLUMNS
from xietong.patients.checkdigit import resident_id_check_char

VALID = "11010519491231002" + resident_id_check_char("11010519491231002")


def test_a_valid_id_carries_its_birth_date_and_a_wrong_one_is_not_valid() -> None:
    wrong_check = VALID[:17] + ("0" if VALID[17] != "0" else "1")
    not_a_date = "11010519491331002" + resident_id_check_char("11010519491331002")
    valid, born = resident_id_facts(
        np.array([VALID, wrong_check, VALID[:17], not_a_date, "", "1101051949123100X2"])
    )
    assert valid.tolist() == [True, False, False, False, False, False]
    assert born[0] == np.datetime64("1949-12-31")
    # The mistyped check character still carries a real birth date: evidence, not identity.
    assert born[1] == np.datetime64("1949-12-31")
    assert np.isnat(born[2]) and np.isnat(born[3]) and np.isnat(born[4])


def test_homophones_share_their_pinyin() -> None:
    assert name_pinyin("王伟") == name_pinyin("王玮") == "wangwei"
    assert name_pinyin("李静") == name_pinyin("李婧")
    assert name_pinyin("张敏") != name_pinyin("章明")


def test_the_table_cleans_names_and_takes_sex_from_a_valid_id() -> None:
    values = {
        "record_id": ["a", "b"],
        "source": ["H1", "H2"],
        "resident_id": [VALID.lower().replace("x", "x"), ""],
        "name": ["王 伟", "阿依·古丽"],
        "sex": ["", "2"],
        "birth_date": ["", "1990-02-03"],
        "phone": ["13800000000", ""],
        "county": ["110105", ""],
    }
    table = features_table({k: np.array(values[k]) for k in COLUMNS}).to_pylist()
    assert table[0]["name"] == "王伟" and table[0]["name_py"] == "wangwei"
    assert table[0]["sex"] == "2"  # the 17th digit, 2, is even
    assert table[0]["rid_valid"] is True
    assert table[0]["id_birth_date"] == dt.date(1949, 12, 31)
    assert table[0]["birth_date"] is None and table[0]["birth_year"] is None
    assert table[1]["name"] == "阿依古丽"
    assert table[1]["rid"] is None and table[1]["rid_valid"] is False
    assert table[1]["birth_year"] == 1990
    assert table[1]["phone"] is None
