"""`./xt mpi link INPUT.csv OUTPUT.csv`: the contract, and the links a user expects."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from xietong.mpi.cli import main
from xietong.patients.checkdigit import resident_id_check_char

HEADER = "record_id,source,resident_id,name,sex,birth_date,phone,county\n"


def _id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


WANG = _id("41010219800305201")  # 王伟, born 1980-03-05, a man (1 is odd)
WANG_OTHER = _id("41010219800305301")  # another 王伟 born the same day
LI = _id("41150219920611412")  # 李静, born 1992-06-11, a woman
LI_SWAPPED = LI[:6] + "19921611" + LI[14:]  # not valid: not even a date
LI_ONE_DIGIT = LI[:3] + ("5" if LI[3] != "5" else "6") + LI[4:]


def _link(tmp_path: Path, body: str | bytes, *extra: str) -> tuple[int, dict[str, str], str]:
    source = tmp_path / "in.csv"
    target = tmp_path / "out.csv"
    data = body.encode("utf-8") if isinstance(body, str) else body
    source.write_bytes(HEADER.encode("utf-8") + data)
    status = main(["link", str(source), str(target), *extra])
    people: dict[str, str] = {}
    if target.exists():
        with target.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        assert rows[0] == ["record_id", "person_id"]
        people = {record: person for record, person in rows[1:]}
        assert len(people) == len(rows) - 1
    return status, people, ""


ONE_PROVINCE = (
    f"a1,H0001,{WANG},王伟,1,1980-03-05,13800000001,410102\n"
    # No resident ID, the name written with a homophone, same birth date and phone.
    "a2,H0002,,王玮,1,1980-03-05,13800000001,410102\n"
    # Day and month swapped, moved county, a new phone, the ID typed right.
    f"a3,H0003,{WANG},王伟,1,1980-05-03,13900000009,411502\n"
    # Another man of the same name and birthday: his own valid ID.
    f"b1,H0001,{WANG_OTHER},王伟,1,1980-03-05,13700000007,410102\n"
    f"c1,H0004,{LI},李静,2,1992-06-11,13600000006,411502\n"
    # One digit of the ID mistyped (it fails the check), the rest agrees.
    f"c2,H0005,{LI_ONE_DIGIT},李静,2,1992-06-11,,411502\n"
    # Only the ID's birth date tells the stated one (missing here) from a stranger's.
    f"c3,H0006,{LI},李婧,,,13600000006,\n"
)


def _records_of_one_resident_are_one_person(people: dict[str, str]) -> None:
    assert people["a1"] == people["a2"] == people["a3"]
    assert people["b1"] != people["a1"]
    assert people["c1"] == people["c2"] == people["c3"]
    assert people["c1"] != people["a1"]
    # A person is named after their first record.
    assert people["a1"] == "P-a1" and people["b1"] == "P-b1"


def test_records_of_one_resident_are_one_person_despite_the_desks_errors(tmp_path: Path) -> None:
    status, people, _ = _link(tmp_path, ONE_PROVINCE)
    assert status == 0
    _records_of_one_resident_are_one_person(people)


def test_spark_links_as_duckdb_does_with_the_same_model(tmp_path: Path) -> None:
    pytest.importorskip("pyspark", reason="pyspark is installed by ./xt mpi link --engine spark")
    if not shutil.which("java"):
        pytest.skip("Spark needs a Java runtime (Debian: default-jre-headless)")
    status, people, _ = _link(tmp_path, ONE_PROVINCE, "--engine", "spark")
    assert status == 0
    _records_of_one_resident_are_one_person(people)


def test_strangers_who_share_only_a_common_name_stay_apart(tmp_path: Path) -> None:
    status, people, _ = _link(
        tmp_path,
        "d1,H0001,,张伟,1,1975-01-20,13811112222,410102\n"
        "d2,H0002,,张伟,1,1983-09-02,13833334444,410302\n"
        # Reads the same and born the same day, but a woman, elsewhere, with another phone.
        "d3,H0003,,张薇,2,1975-01-20,13855556666,411302\n",
    )
    assert status == 0
    assert len(set(people.values())) == 3


def test_unreadable_rows_are_reported_by_line_and_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = (
        f"e1,H0001,{WANG},王伟,1,1980-03-05,13800000001,410102\n"
        "e2,H0001,,王伟,1,1980-02-30,,\n"  # line 3: no such date
        "e3,H0001,,王伟,M,1980-03-05,,\n"  # line 4: sex is 1 or 2
        "e4,H0001,,王伟\n"  # line 5: four values
        ",H0001,,王伟,1,1980-03-05,,\n"  # line 6: no record_id
        f"e1,H0002,{WANG},王伟,1,1980-03-05,,\n"  # line 7: e1 again
        f"e5,H0002,{LI_SWAPPED},李静,2,1992-06-11,,\n"  # a wrong ID is evidence, not an error
    ).encode() + b"e6,H0003,,\xe7\x8e\x8b\xff,1,1980-03-05,,\n"  # line 9: not UTF-8
    status, people, _ = _link(tmp_path, body)
    err = capsys.readouterr().err
    assert status == 3
    assert sorted(people) == ["e1", "e5"]
    for line, words in (
        (3, "1980-02-30"),
        (4, "'M'"),
        (5, "4 values"),
        (6, "record_id and source"),
        (7, "e1 appears"),
        (9, "not UTF-8"),
    ):
        assert any(f"line {line}:" in m and words in m for m in err.splitlines()), (line, err)


def test_a_file_without_the_contracts_header_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,name\n1,王伟\n", encoding="utf-8")
    assert main(["link", str(source), str(tmp_path / "out.csv")]) == 2
    assert "header record_id,source" in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


def test_a_mistyped_id_is_never_taken_for_a_verified_one(tmp_path: Path) -> None:
    # Two people; the typo of Li's ID is one digit from it, and linked to her, while a record
    # that shares nothing but that typo with a stranger is not made the stranger.
    status, people, _ = _link(
        tmp_path,
        f"f1,H0001,{LI},李静,2,1992-06-11,13600000006,411502\n"
        f"f2,H0002,{LI_ONE_DIGIT},刘洋,1,1958-12-01,13100000001,410102\n",
    )
    assert status == 0
    assert people["f1"] != people["f2"]
