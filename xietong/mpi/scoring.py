"""One record against its candidates, with the same model file as the batch link: the seam
the online matcher (registration, the exchange's ingest) will stand on.

The caller finds the candidates (the index's blocking: resident ID, name + birth date, phone,
pinyin + birth year) and decides by the thresholds; here each candidate gets its match weight,
computed by Splink from the model's own comparisons, so a pair scores online as it does in
batch."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa

from .features import features_table
from .model import Model, settings_for_engine
from .synthetic import COLUMNS


def _features(records: Sequence[Mapping[str, str]], first_id: int) -> pa.Table:
    columns = {
        name: np.array([str(r.get(name) or "").strip() for r in records], dtype=str)
        for name in COLUMNS
    }
    table = features_table(columns)
    ids = pa.array(np.arange(first_id, first_id + len(records), dtype=np.int64))
    return table.set_column(table.schema.get_field_index("unique_id"), "unique_id", ids)


class Scorer:
    """The model loaded once per process on an in-memory DuckDB."""

    def __init__(self, model: Model) -> None:
        import duckdb
        from splink import DuckDBAPI, Linker

        self._connection = duckdb.connect()
        empty = features_table({name: np.array([], dtype="U1") for name in COLUMNS})
        self._connection.register("records_arrow", empty)
        self._connection.execute("CREATE TABLE records AS SELECT * FROM records_arrow")
        self._api = DuckDBAPI(self._connection)
        self._calls = 0
        self._linker = Linker(
            self._api.register("records"),
            settings_for_engine(model.settings, "duckdb"),
            log_level=logging.WARNING,
        )

    def record_score(
        self, *, record: Mapping[str, str], candidates: Sequence[Mapping[str, str]]
    ) -> list[float]:
        """The match weight of `record` against each candidate, in the candidates' order.
        Records are mappings with the batch INPUT's column names (any may be missing)."""
        if not candidates:
            return []
        # Typed tables, not dicts: an empty value must still be a DATE or a string to SQL.
        self._calls += 1
        left = self._api.register(_features([record], 0), table_name=f"xt_left_{self._calls}")
        right = self._api.register(_features(candidates, 1), table_name=f"xt_right_{self._calls}")
        scored = self._linker.inference.score_pairs(left, right)
        weights = {
            int(row["unique_id_r"]): float(row["match_weight"]) for row in scored.as_record_list()
        }
        for frame in (scored, left, right):
            frame.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
        return [weights[i + 1] for i in range(len(candidates))]
