"""The Fellegi–Sunter model of the index: its comparisons, its blocking, its training and the
versioned file it is kept in (docs/adr/0030-master-patient-index.md).

The comparisons know Chinese identities: a resident ID one digit or one swap away from the
other record's is its own level (evidence, not noise), so is the same pinyin under different
characters (homophones), a birth date with day and month swapped, and the birth date or sex
the ID carries against the one stated on the other record. Blocking never uses county:
people move.

The m and u probabilities are estimated on the data (u by random sampling, m by EM) with
Splink; the file keeps Splink's settings with those parameters, the hash of the training data
and the versions of the libraries, so the same model is applied in batch and online and can
be trained again from the same data to the same numbers."""

from __future__ import annotations

import hashlib
import json
import logging
import platform
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pyarrow as pa

MODEL_FORMAT = "xietong-mpi-model"
MODEL_FORMAT_VERSION = 1
DEFAULT_MODEL = Path(__file__).resolve().parent / "model" / "mpi-model.json"

BLOCKING_RULES = (
    "l.rid = r.rid",
    "l.name = r.name AND l.birth_date = r.birth_date",
    "l.phone = r.phone",
    "l.name_py = r.name_py AND l.birth_year = r.birth_year",
)


def _level(label: str, sql: str, *, null: bool = False) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    return level


_ELSE = _level("else", "ELSE")

# A date's month and day swapped against the other's.
_SWAPPED = (
    "(year({a}) = year({b}) AND month({a}) = day({b}) AND day({a}) = month({b})"
    " AND month({a}) <> day({a}))"
)


def _dates(a: str, b: str) -> str:
    return _SWAPPED.format(a=a, b=b)


COMPARISONS: tuple[dict[str, Any], ...] = (
    {
        "output_column_name": "rid",
        "comparison_description": "resident ID: exact, one digit or one swap away, else",
        "comparison_levels": [
            _level("null", "rid_l IS NULL OR rid_r IS NULL", null=True),
            _level("exact", "rid_l = rid_r"),
            _level(
                "one edit from a valid ID",
                "damerau_levenshtein(rid_l, rid_r) = 1 AND (rid_valid_l OR rid_valid_r)",
            ),
            _ELSE,
        ],
    },
    {
        "output_column_name": "name",
        "comparison_description": "name: exact, same pinyin (homophone), close, else",
        "comparison_levels": [
            _level("null", "name_l IS NULL OR name_r IS NULL", null=True),
            _level("exact", "name_l = name_r"),
            _level("same pinyin", "name_py_l = name_py_r"),
            _level("close", "jaro_winkler_similarity(name_py_l, name_py_r) >= 0.9"),
            _ELSE,
        ],
    },
    {
        "output_column_name": "birth_date",
        "comparison_description": (
            "birth date, stated or carried by the resident ID: exact, day and month swapped,"
            " same year, else"
        ),
        "comparison_levels": [
            _level(
                "null",
                "(birth_date_l IS NULL AND id_birth_date_l IS NULL)"
                " OR (birth_date_r IS NULL AND id_birth_date_r IS NULL)",
                null=True,
            ),
            _level(
                "exact",
                "birth_date_l = birth_date_r OR id_birth_date_l = birth_date_r"
                " OR birth_date_l = id_birth_date_r",
            ),
            _level(
                "day and month swapped",
                _dates("birth_date_l", "birth_date_r")
                + " OR "
                + _dates("id_birth_date_l", "birth_date_r")
                + " OR "
                + _dates("birth_date_l", "id_birth_date_r"),
            ),
            _level("same year", "birth_year_l = birth_year_r"),
            _ELSE,
        ],
    },
    {
        "output_column_name": "sex",
        "comparison_description": "sex, stated or carried by the resident ID",
        "comparison_levels": [
            _level("null", "sex_l IS NULL OR sex_r IS NULL", null=True),
            _level("exact", "sex_l = sex_r"),
            _ELSE,
        ],
    },
    {
        "output_column_name": "phone",
        "comparison_description": "phone: exact, else",
        "comparison_levels": [
            _level("null", "phone_l IS NULL OR phone_r IS NULL", null=True),
            _level("exact", "phone_l = phone_r"),
            _ELSE,
        ],
    },
    {
        "output_column_name": "county",
        "comparison_description": "county (weak: people move): exact, same prefecture, else",
        "comparison_levels": [
            _level("null", "county_l IS NULL OR county_r IS NULL", null=True),
            _level("exact", "county_l = county_r"),
            _level("same prefecture", "left(county_l, 4) = left(county_r, 4)"),
            _ELSE,
        ],
    },
)


def splink_settings() -> dict[str, Any]:
    """The untrained model: Splink's settings dictionary."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": rule} for rule in BLOCKING_RULES
        ],
        "comparisons": [dict(c) for c in COMPARISONS],
        "additional_columns_to_retain": ["rid_valid"],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "probability_two_random_records_match": 1e-6,
    }


def table_hash(table: pa.Table) -> str:
    """SHA-256 of the records' comparison columns, in order: names the training data."""
    digest = hashlib.sha256()
    for batch in table.to_batches(max_chunksize=200_000):
        for column in batch.columns:
            for buffer in column.buffers():
                if buffer is not None:
                    digest.update(buffer)
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        **{name: version(name) for name in ("splink", "duckdb", "pypinyin", "numpy", "pyarrow")},
    }


@dataclass(frozen=True)
class Model:
    """A trained model: Splink's settings with their parameters, and where they came from."""

    settings: dict[str, Any]
    training: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "format": MODEL_FORMAT,
            "format_version": MODEL_FORMAT_VERSION,
            "training": self.training,
            "splink_settings": self.settings,
        }

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.as_json(), ensure_ascii=False, indent=1, sort_keys=True)
        path.write_text(text + "\n", encoding="utf-8")


# The one function whose name differs between Splink's DuckDB and Spark SQL: the model's
# conditions are written for DuckDB (where it is trained) and renamed for Spark.
_SPARK_NAMES = {"jaro_winkler_similarity(": "jaro_winkler("}


def settings_for_engine(settings: dict[str, Any], engine: str) -> dict[str, Any]:
    """The stored settings ready for a Linker on `engine` ("duckdb" or "spark")."""
    adapted = json.loads(json.dumps(settings))
    adapted.pop("sql_dialect", None)
    for rule in adapted.get("blocking_rules_to_generate_predictions", []):
        if isinstance(rule, dict):
            rule.pop("sql_dialect", None)
    for comparison in adapted["comparisons"]:
        for level in comparison["comparison_levels"]:
            level.pop("sql_dialect", None)
            if engine == "spark":
                for old, new in _SPARK_NAMES.items():
                    level["sql_condition"] = level["sql_condition"].replace(old, new)
    return adapted


class ModelUnreadable(ValueError):
    pass


def model_load(path: Path = DEFAULT_MODEL) -> Model:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelUnreadable(f"{path}: {error}") from error
    if data.get("format") != MODEL_FORMAT or data.get("format_version") != MODEL_FORMAT_VERSION:
        raise ModelUnreadable(f"{path} is not a version {MODEL_FORMAT_VERSION} index model")
    return Model(settings=data["splink_settings"], training=data["training"])


def model_train(*, features: pa.Table, seed: int = 13, u_pairs: float = 5e6) -> Model:
    """Estimates the parameters on `features` (features.features_table): the share of
    matching pairs from exact resident IDs, u by random sampling, m by EM on three
    blockings so that every comparison is estimated at least once while not blocked on."""
    import duckdb
    from splink import DuckDBAPI, Linker

    connection = duckdb.connect()
    connection.register("records_arrow", features)
    connection.execute("CREATE TABLE records AS SELECT * FROM records_arrow")
    db_api = DuckDBAPI(connection)
    frame = db_api.register("records")
    linker = Linker(frame, splink_settings(), log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        ["l.rid = r.rid AND l.rid_valid"], recall=0.85
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
    for rule in (
        "l.rid = r.rid",
        "l.name = r.name AND l.birth_date = r.birth_date",
        "l.phone = r.phone",
    ):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    settings = linker.misc.save_model_to_json()
    connection.close()
    return Model(
        settings=settings,
        training={
            "records": features.num_rows,
            "data_sha256": table_hash(features),
            "seed": seed,
            "u_pairs": u_pairs,
            "libraries": library_versions(),
        },
    )
