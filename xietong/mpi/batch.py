"""The batch link of a whole export: read, derive, score the blocked pairs with the trained
model, cluster, write one `record_id,person_id` row per record read.

INPUT is UTF-8 CSV with the header `record_id,source,resident_id,name,sex,birth_date,phone,
county`; any value but the first two may be empty. A row that cannot be read (wrong number of
values, bytes that are not UTF-8, no record_id or source, a record_id seen before, a sex that
is not 1 or 2, a birth date that is not a real YYYY-MM-DD date) is reported with its line
number and left out: it is not guessed. A resident ID of the wrong length or check character
is read and used as evidence; it never counts as a verified ID (features.py)."""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from .clustering import clusters_build
from .features import features_table
from .model import Model, settings_for_engine
from .synthetic import COLUMNS

Engine = Literal["duckdb", "spark"]
Progress = Callable[[str], None]

# Bytes that are not UTF-8, as the surrogateescape error handler reads them.
_NOT_UTF8 = re.compile("[\udc80-\udcff]")
# GB/T 2261.1: 0 not known, 9 not stated — both read as empty.
_SEX = {"1": "1", "2": "2", "0": "", "9": "", "": ""}


class InputUnreadable(ValueError):
    """The file as a whole cannot be read (missing, or a header that is not the contract's)."""


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class InputRecords:
    columns: dict[str, npt.NDArray[np.str_]]
    errors: list[RowError] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.columns["record_id"])


def _quiet(_: str) -> None:
    pass


def _date_ok(value: str, cache: dict[str, bool]) -> bool:
    known = cache.get(value)
    if known is None:
        try:
            known = len(value) == 10 and dt.date.fromisoformat(value).year >= 1900
        except ValueError:
            known = False
        cache[value] = known
    return known


def _read_clean(path: Path) -> InputRecords | None:
    """The whole file at C speed when every row is readable; None when any is not (or the
    file has blank lines), so that the careful reader below finds and numbers the lines."""
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=1 << 24),
            parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(COLUMNS, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, OSError):
        return None
    if table.column_names != list(COLUMNS):
        return None
    trimmed = {name: pc.utf8_trim_whitespace(table[name]) for name in COLUMNS}
    birth = trimmed["birth_date"]
    parsed = pc.strptime(birth, format="%Y-%m-%d", unit="s", error_is_null=True)
    bad_birth = pc.and_(
        pc.not_equal(birth, ""),
        pc.or_kleene(
            pc.is_null(parsed),
            pc.or_(
                pc.not_equal(pc.utf8_length(birth), 10),
                pc.less(pc.year(parsed), 1900),
            ),
        ),
    )
    problems = [
        pc.any(pc.equal(trimmed["record_id"], "")).as_py(),
        pc.any(pc.equal(trimmed["source"], "")).as_py(),
        pc.any(pc.invert(pc.is_in(trimmed["sex"], pa.array(list(_SEX))))).as_py(),
        pc.any(bad_birth).as_py(),
        pc.count_distinct(trimmed["record_id"]).as_py() != table.num_rows,
    ]
    if any(problems):
        return None
    columns = {
        name: np.asarray(trimmed[name].to_numpy(zero_copy_only=False), dtype=str)
        for name in COLUMNS
    }
    sex = columns["sex"]
    columns["sex"] = np.where((sex == "1") | (sex == "2"), sex, "")
    return InputRecords(columns=columns)


def records_read(path: Path, *, progress: Progress = _quiet) -> InputRecords:
    try:
        with path.open(encoding="utf-8", errors="surrogateescape", newline="") as handle:
            header = next(csv.reader(handle), None)
    except OSError as error:
        raise InputUnreadable(f"{path}: {error.strerror}") from error
    if header is None or [h.strip().lstrip("\ufeff") for h in header] != list(COLUMNS):
        raise InputUnreadable(f"{path}: the first line must be the header {','.join(COLUMNS)}")
    clean = _read_clean(path)
    if clean is not None:
        return clean
    return _read_careful(path, progress=progress)


def _read_careful(path: Path, *, progress: Progress) -> InputRecords:
    width = len(COLUMNS)
    values: list[list[str]] = [[] for _ in COLUMNS]
    errors: list[RowError] = []
    seen: set[str] = set()
    dates: dict[str, bool] = {}
    try:
        handle = path.open(encoding="utf-8", errors="surrogateescape", newline="")
    except OSError as error:
        raise InputUnreadable(f"{path}: {error.strerror}") from error
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or [h.strip().lstrip("\ufeff") for h in header] != list(COLUMNS):
            raise InputUnreadable(f"{path}: the first line must be the header {','.join(COLUMNS)}")
        for row in reader:
            if len(row) != width:
                if row:
                    errors.append(
                        RowError(reader.line_num, f"{len(row)} values where {width} are expected")
                    )
                continue  # (a blank line is no record)
            record_id, source, _, _, sex, birth, _, _ = row = [v.strip() for v in row]
            problem = None
            if _NOT_UTF8.search("".join(row)):
                problem = "bytes that are not UTF-8"
            elif not record_id or not source:
                problem = "record_id and source may not be empty"
            elif record_id in seen:
                problem = f"record_id {record_id} appears on an earlier line"
            elif sex not in _SEX:
                problem = f"sex {sex!r} is not 1 (male) or 2 (female)"
            elif birth and not _date_ok(birth, dates):
                problem = f"birth_date {birth!r} is not a real date written YYYY-MM-DD"
            if problem:
                errors.append(RowError(reader.line_num, problem))
                continue
            seen.add(record_id)
            row[4] = _SEX[sex]
            for column, value in zip(values, row, strict=True):
                column.append(value)
            if len(seen) % 500_000 == 0:
                progress(f"read {len(seen):,} records")
    columns = {
        name: np.array(column, dtype=str) for name, column in zip(COLUMNS, values, strict=True)
    }
    for name in COLUMNS:
        if len(columns[name]) == 0:
            columns[name] = np.array([], dtype="U1")
    return InputRecords(columns=columns, errors=errors)


def _links_spark(features: pa.Table, settings: dict[str, Any], threshold: float) -> pa.Table:
    """Splink's Spark backend on this machine's cores (a cluster's master when
    XT_SPARK_MASTER names one). Records go to Spark, and links come back, as Parquet."""
    import pyarrow.parquet as pq
    from pyspark.sql import SparkSession
    from splink import Linker, SparkAPI
    from splink.internals.spark.jar_location import similarity_jar_location

    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="xt-mpi-spark-") as folder:
        pq.write_table(features, f"{folder}/records.parquet")
        spark = (
            SparkSession.builder.master(os.environ.get("XT_SPARK_MASTER", f"local[{cores}]"))
            .appName("xietong-mpi")
            .config("spark.sql.shuffle.partitions", str(cores * 4))
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            # Splink's Jaro–Winkler and Damerau–Levenshtein for Spark SQL.
            .config("spark.jars", similarity_jar_location())
            .config("spark.driver.memory", os.environ.get("XT_SPARK_DRIVER_MEMORY", "4g"))
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        spark.sparkContext.setCheckpointDir(f"{folder}/checkpoints")
        try:
            api = SparkAPI(spark_session=spark)
            frame = api.register(spark.read.parquet(f"{folder}/records.parquet"))
            linker = Linker(frame, settings, log_level="WARNING")
            scored = linker.inference.predict(threshold_match_weight=threshold)
            scored.as_spark_dataframe().select(
                "unique_id_l", "unique_id_r", "match_weight"
            ).write.parquet(f"{folder}/links.parquet")
            return pq.read_table(f"{folder}/links.parquet")
        finally:
            spark.stop()


def _links_duckdb(features: pa.Table, settings: dict[str, Any], threshold: float) -> pa.Table:
    import duckdb
    from splink import DuckDBAPI, Linker

    connection = duckdb.connect()
    try:
        connection.register("records_arrow", features)
        connection.execute("CREATE TABLE records AS SELECT * FROM records_arrow")
        linker = Linker(DuckDBAPI(connection).register("records"), settings, log_level="WARNING")
        scored = linker.inference.predict(threshold_match_weight=threshold)
        return connection.sql(
            f"SELECT unique_id_l, unique_id_r, match_weight FROM {scored.physical_name}"  # noqa: S608
        ).to_arrow_table()
    finally:
        connection.close()


def links_score(
    features: pa.Table, *, model: Model, threshold: float, engine: Engine = "duckdb"
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The blocked pairs whose match weight reaches `threshold`: (left, right, weight)."""
    settings = settings_for_engine(model.settings, engine)
    score = _links_spark if engine == "spark" else _links_duckdb
    table = score(features, settings, threshold)
    return (
        table["unique_id_l"].to_numpy().astype(np.int64),
        table["unique_id_r"].to_numpy().astype(np.int64),
        table["match_weight"].to_numpy().astype(np.float64),
    )


def _valid_id_numbers(features: pa.Table) -> npt.NDArray[np.int64]:
    rid = np.array(features["rid"].to_pylist(), dtype=object)
    valid = features["rid_valid"].to_numpy(zero_copy_only=False)
    numbers = np.full(len(rid), -1, dtype=np.int64)
    if valid.any():
        _, inverse = np.unique(rid[valid].astype(str), return_inverse=True)
        numbers[valid] = inverse
    return numbers


@dataclass
class LinkResult:
    record_ids: npt.NDArray[np.str_]
    person_ids: npt.NDArray[np.str_]
    cluster: npt.NDArray[np.int64]
    errors: list[RowError]
    links: int


def records_link(
    records: InputRecords,
    *,
    model: Model,
    threshold: float,
    engine: Engine = "duckdb",
    progress: Progress = _quiet,
) -> LinkResult:
    started = time.monotonic()
    features = features_table(records.columns)
    progress(f"derived the comparison columns in {time.monotonic() - started:.1f} s")
    left, right, weight = links_score(features, model=model, threshold=threshold, engine=engine)
    progress(f"{len(left):,} links at or above match weight {threshold} ({engine})")
    cluster = clusters_build(
        records=features.num_rows,
        left=left,
        right=right,
        weight=weight,
        valid_id=_valid_id_numbers(features),
    )
    record_ids = records.columns["record_id"]
    # A person is named after the first of their records in the input.
    person_ids = np.char.add("P-", record_ids[cluster]) if len(cluster) else record_ids
    progress(f"{len(np.unique(cluster)):,} people")
    return LinkResult(record_ids, person_ids, cluster, records.errors, len(left))


def result_write(result: LinkResult, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(("record_id", "person_id"))
        writer.writerows(zip(result.record_ids.tolist(), result.person_ids.tolist(), strict=True))


def progress_stderr(message: str) -> None:
    print(f"[mpi] {message}", file=sys.stderr, flush=True)
