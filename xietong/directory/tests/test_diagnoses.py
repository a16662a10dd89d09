"""The ICD-10 code list: what the migration loads (WHO titles, the project's Chinese
titles), how a refresh and a province's CSV change it, and the command that does it."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from xietong.core.icd10 import icd_valid
from xietong.directory.diagnoses import (
    diagnosis_codes_load,
    project_titles,
    titles_from_csv,
    who_titles,
)
from xietong.directory.models import DiagnosisCode

pytestmark = pytest.mark.django_db

# The codes the demo province and the tests use: each has a Chinese title.
USED = ["I20.0", "I21.4", "I25", "I48.9", "I50.9", "I63.9", "G40.9", "G45.9", "E11.9",
        "C34.9", "K92.2", "N18.4", "J18.9", "C00", "C97"]  # fmt: skip


def test_every_project_title_names_a_who_code_in_the_workflows_shape() -> None:
    who = who_titles()
    titles = project_titles()
    assert len(titles) >= 300
    assert set(titles) <= set(who), sorted(set(titles) - set(who))
    assert all(icd_valid(code) for code in who)
    assert all(re.search(r"[\u4e00-\u9fff]", name) for name in titles.values())
    assert set(USED) <= set(titles)


def test_the_migration_loaded_the_whole_list_with_chinese_titles(diagnosis_codes: None) -> None:
    assert DiagnosisCode.objects.count() == len(who_titles())
    ami = DiagnosisCode.objects.get(code="I21.4")
    assert (ami.name, ami.name_en) == (
        "急性心内膜下心肌梗死",
        "Acute subendocardial myocardial infarction",
    )
    # A code the project file does not name keeps its English title only.
    rare = DiagnosisCode.objects.get(code="A00.0")
    assert rare.name == "" and rare.name_en.startswith("Cholera")
    assert str(rare) == f"A00.0 {rare.name_en}"


def test_loading_again_changes_nothing(diagnosis_codes: None) -> None:
    report = diagnosis_codes_load()
    assert (report.created, report.updated) == (0, 0)
    assert report.unchanged == DiagnosisCode.objects.count()


def test_a_refresh_sets_the_titles_it_knows_and_keeps_the_others(diagnosis_codes: None) -> None:
    DiagnosisCode.objects.filter(code="I21.4").update(name="旧名")
    DiagnosisCode.objects.create(code="I21.401", name="急性前壁心内膜下心肌梗死")
    report = diagnosis_codes_load()
    assert (report.created, report.updated) == (0, 1)
    assert DiagnosisCode.objects.get(code="I21.4").name == "急性心内膜下心肌梗死"
    # A code from a province's list is neither removed nor blanked by the WHO refresh.
    assert DiagnosisCode.objects.get(code="I21.401").name == "急性前壁心内膜下心肌梗死"


def test_a_province_csv_adds_its_codes_and_its_titles_win() -> None:
    DiagnosisCode.objects.all().delete()
    found = titles_from_csv(
        [
            "编码,名称",
            "I21.4,急性非ST段抬高型心肌梗死",
            "i21.401,急性前壁心内膜下心肌梗死",
            "A01.000x001,伤寒杆菌性败血症",
            "I22,",
            "",
        ]
    )
    assert found.titles == {
        "I21.4": "急性非ST段抬高型心肌梗死",
        "I21.401": "急性前壁心内膜下心肌梗死",
    }
    assert found.rejected == ["4: A01.000x001,伤寒杆菌性败血症", "5: I22,"]
    english = {"I21.4": "Acute subendocardial myocardial infarction", "I22": "Subsequent"}
    report = diagnosis_codes_load(english=english, chinese=[found.titles])
    assert report.created == len(project_titles()) + 1  # I21.401 is the CSV's own
    rows = {d.code: (d.name, d.name_en) for d in DiagnosisCode.objects.all()}
    assert rows["I21.4"] == ("急性非ST段抬高型心肌梗死", english["I21.4"])
    assert rows["I21.401"] == ("急性前壁心内膜下心肌梗死", "")
    assert rows["I22"] == ("随后性心肌梗死", "Subsequent")  # from the project's file


def test_the_command_loads_a_csv_and_says_what_it_skipped(
    diagnosis_codes: None, tmp_path: Path
) -> None:
    licensed = tmp_path / "clinical.csv"
    licensed.write_text("code,name\nI21.401,急性前壁心内膜下心肌梗死\nX,坏行\n", encoding="gb18030")
    out = StringIO()
    call_command("diagnosis_codes_load", csv=[str(licensed)], encoding="gb18030", stdout=out)
    said = out.getvalue()
    assert "1 created, 0 updated" in said and "1 rows skipped" in said
    assert "3: X,坏行" in said
    assert DiagnosisCode.objects.get(code="I21.401").name == "急性前壁心内膜下心肌梗死"
    out = StringIO()
    call_command("diagnosis_codes_load", csv=[str(licensed)], encoding="gb18030", stdout=out)
    assert "0 created, 0 updated" in out.getvalue()


def test_the_command_refuses_a_file_without_codes(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("name\nsomething\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no row"):
        call_command("diagnosis_codes_load", csv=[str(empty)], stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("diagnosis_codes_load", csv=[str(tmp_path / "missing.csv")])
