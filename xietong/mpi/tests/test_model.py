"""The model file: trained on the data, reproducible, and loaded back as it was saved."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from xietong.mpi.features import features_table
from xietong.mpi.model import DEFAULT_MODEL, ModelUnreadable, model_load, model_train, table_hash
from xietong.mpi.synthetic import records_generate


def _parameters(settings: dict[str, Any]) -> list[tuple[float, float]]:
    return [
        (level.get("m_probability", 0.0), level.get("u_probability", 0.0))
        for comparison in settings["comparisons"]
        for level in comparison["comparison_levels"]
        if not level.get("is_null_level")
    ]


def test_training_twice_on_the_same_data_gives_the_same_model(tmp_path: Path) -> None:
    features = features_table(records_generate(people=4000, records=9000, seed=3).columns)
    first = model_train(features=features, seed=1, u_pairs=2e5)
    second = model_train(features=features, seed=1, u_pairs=2e5)
    assert first.training == second.training
    assert first.training["data_sha256"] == table_hash(features)
    assert {"splink", "duckdb", "pypinyin"} <= set(first.training["libraries"])
    for (m1, u1), (m2, u2) in zip(
        _parameters(first.settings), _parameters(second.settings), strict=True
    ):
        # EM sums in parallel: equal to the last bits of a double.
        assert math.isclose(m1, m2, rel_tol=1e-9) and math.isclose(u1, u2, rel_tol=1e-9)
    first.save(tmp_path / "model.json")
    assert model_load(tmp_path / "model.json") == first


def test_the_shipped_model_weighs_the_chinese_cases_as_evidence() -> None:
    model = model_load(DEFAULT_MODEL)
    weights = {
        (comparison["output_column_name"], level["label_for_charts"]): math.log2(
            level["m_probability"] / level["u_probability"]
        )
        for comparison in model.settings["comparisons"]
        for level in comparison["comparison_levels"]
        if not level.get("is_null_level")
    }
    # A mistyped ID one edit from a valid one is strong evidence for, another ID against.
    assert weights[("rid", "one edit from a valid ID")] > 10
    assert weights[("rid", "else")] < -5
    assert weights[("name", "same pinyin")] > 5
    assert weights[("birth_date", "day and month swapped")] > 5
    assert weights[("county", "exact")] < weights[("phone", "exact")]


def test_a_file_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"link_type": "dedupe_only"}), encoding="utf-8")
    with pytest.raises(ModelUnreadable):
        model_load(path)
