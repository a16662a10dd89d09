"""How a pushed value and a visit's status read on the record: as the laboratory and the
registration desk would write them."""

from __future__ import annotations

from django.utils import translation

from xietong.exchange.ehr.summary import STATUSES, quantity_text


def test_a_value_computed_in_floating_point_reads_as_written() -> None:
    assert quantity_text({"value": 7.199999999999999, "unit": "mmol/L"}) == ("7.2", "mmol/L")
    assert quantity_text({"value": 0.30000000000000004, "unit": "g/L"}) == ("0.3", "g/L")
    assert quantity_text({"value": 140.0, "unit": "mmol/L"}) == ("140", "mmol/L")
    assert quantity_text({"value": 5.55, "unit": "mmol/L"}) == ("5.55", "mmol/L")


def test_a_registered_outpatient_visit_has_a_chinese_status() -> None:
    with translation.override("zh-hans"):
        assert str(STATUSES["arrived"]) == "已到院"
        assert str(STATUSES["triaged"]) == "已分诊"
