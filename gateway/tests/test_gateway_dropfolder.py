"""The CSV drop folder: patients and lab results from systems that cannot send HL7."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from gateway_messages import INSTITUTION
from xt_gateway.dropfolder import DropFolder
from xt_gateway.mapping.csvfiles import CsvError, decode, map_csv
from xt_gateway.outbox import Outbox

PATIENTS = (
    "mrn,resident_id,name,sex,birth_date,phone,address\r\n"
    '0012345,33010219800101002X,王小明,男,1980-01-01,13900001111,"浙江省杭州市西湖区文三路90号,3幢"\r\n'
    "0012346,,李芳,女,1975/3/9,,\r\n"
)
RESULTS = (
    "mrn,name,report_no,item_code,item_name,loinc,value,unit,reference_range,flag,collected_at,reported_at\n"
    "0012345,王小明,R88001,K,血钾,2823-3,5.8,mmol/L,3.5-5.5,H,2026-12-02 08:30,2026-12-02 10:10\n"
    "0012345,王小明,R88001,NA,血钠,2951-2,140,mmol/L,137-147,N,2026-12-02 08:30,2026-12-02 10:10\n"
    "0012346,李芳,R88002,HBSAG,乙肝表面抗原,,阴性,,阴性,,2026-12-02 09:00,\n"
)


def test_patients_file_in_gb18030_from_excel() -> None:
    text = decode(PATIENTS.encode("gb18030"))
    first, second = map_csv(text, institution=INSTITUTION, file_id="f1")
    patient = first.bundle["entry"][0]["resource"]
    assert patient["name"] == [{"use": "official", "text": "王小明"}]
    assert patient["gender"] == "male"
    assert patient["identifier"][1] == {
        "use": "official",
        "system": "urn:xietong:resident-id",
        "value": "33010219800101002X",
    }
    assert patient["address"] == [{"text": "浙江省杭州市西湖区文三路90号,3幢"}]
    assert first.bundle["entry"][0]["request"]["method"] == "PUT"
    assert second.bundle["entry"][0]["resource"]["birthDate"] == "1975-03-09"
    assert second.bundle["entry"][0]["resource"]["gender"] == "female"
    assert first.message_id == "H330100001:CSV:f1:2"


def test_results_file_one_message_per_report() -> None:
    text = decode(b"\xef\xbb\xbf" + RESULTS.encode("utf-8"))  # UTF-8 with Excel's BOM
    potassium_report, hbsag_report = map_csv(text, institution=INSTITUTION, file_id="f2")
    kinds = [e["resource"]["resourceType"] for e in potassium_report.bundle["entry"]]
    assert kinds == ["Patient", "DiagnosticReport", "Observation", "Observation"]
    report = potassium_report.bundle["entry"][1]["resource"]
    assert report["issued"] == "2026-12-02T10:10:00+08:00"
    assert len(report["result"]) == 2
    potassium = potassium_report.bundle["entry"][2]["resource"]
    assert potassium["valueQuantity"]["value"] == 5.8
    assert potassium["referenceRange"][0]["high"]["value"] == 5.5
    assert [c["code"] for c in potassium["code"]["coding"]] == ["2823-3", "K"]
    assert potassium["interpretation"][0]["coding"][0]["code"] == "H"
    hbsag = hbsag_report.bundle["entry"][2]["resource"]
    assert hbsag["valueString"] == "阴性"
    assert hbsag_report.patient_key == "H330100001|0012346"


@pytest.mark.parametrize(
    ("change", "row", "column"),
    [
        (("5.8,mmol/L", "偏高,mmol/L"), 2, "value"),
        (("2026-12-02 09:00", "12/02/2026"), 4, "collected_at"),
        (("N,2026", "X,2026"), 3, "flag"),
        (("0012346,李芳,R88002", ",李芳,R88002"), 4, "mrn"),
        (("reported_at", "reported"), 0, "reported"),
    ],
)
def test_a_bad_row_names_row_and_column(change: tuple[str, str], row: int, column: str) -> None:
    with pytest.raises(CsvError) as refused:
        map_csv(RESULTS.replace(*change, 1), institution=INSTITUTION, file_id="f")
    assert (refused.value.row, refused.value.column) == (row, column)


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    box = Outbox(tmp_path / "outbox.sqlite3", min_free_bytes=1)
    yield box
    box.close()


def drop(folder: Path, name: str, data: bytes, age_s: float = 10) -> Path:
    path = folder / name
    path.write_bytes(data)
    past = time.time() - age_s
    os.utime(path, (past, past))
    return path


def test_a_good_file_goes_to_the_outbox_once(tmp_path: Path, outbox: Outbox) -> None:
    folder = DropFolder(tmp_path / "drop", outbox=outbox, institution=INSTITUTION)
    drop(folder.folder, "results.csv", RESULTS.encode("gb18030"))
    drop(folder.folder, "writing.csv", PATIENTS.encode("utf-8"), age_s=0)  # not settled yet
    drop(folder.folder, "half.csv.part", PATIENTS.encode("utf-8"))  # not renamed yet
    assert folder.scan() == {"results.csv": 2}
    assert outbox.status().queue_depth == 2
    [done] = (folder.folder / "done").iterdir()
    assert done.name.endswith("-results.csv")
    # The same export dropped again (or found again after a crash): nothing new is sent.
    drop(folder.folder, "results.csv", RESULTS.encode("gb18030"))
    assert folder.scan() == {"results.csv": 2}
    assert outbox.status().queue_depth == 2
    bundle = json.loads(outbox.due(limit=5)[0].bundle)
    assert bundle["entry"][2]["resource"]["code"]["text"] == "血钾"


def test_a_bad_file_is_set_aside_with_its_reason(tmp_path: Path, outbox: Outbox) -> None:
    folder = DropFolder(tmp_path / "drop", outbox=outbox, institution=INSTITUTION)
    drop(
        folder.folder,
        "results.csv",
        RESULTS.replace(",H,", ",高,").encode(),
    )
    assert folder.scan() == {"results.csv": 0}
    assert outbox.status().queue_depth == 0
    errors = next((folder.folder / "rejected").glob("*.errors.txt")).read_text(encoding="utf-8")
    assert errors.startswith("第 2 行 flag:")
    assert outbox.status().errors_last_hour == 1


def test_a_full_disk_leaves_the_file_for_later(tmp_path: Path, outbox: Outbox) -> None:
    folder = DropFolder(tmp_path / "drop", outbox=outbox, institution=INSTITUTION)
    drop(folder.folder, "patients.csv", PATIENTS.encode())
    outbox.min_free_bytes = 2**62
    assert folder.scan() == {}
    assert (folder.folder / "patients.csv").exists()
    outbox.min_free_bytes = 1
    assert folder.scan() == {"patients.csv": 2}
