"""Benchmark: the master patient index's batch link on a synthetic province, against its truth.

    ./xt bench mpi [--people 1000000] [--records 2250000] [--sources 300] [--seed 13]

Generates the people and their hospitals' records (xietong/mpi/synthetic.py: 12% without a
resident ID, mistyped IDs, homophone names, swapped day and month, moves and new phones),
writes them as the batch command's INPUT, runs `python -m xietong.mpi link` on it in a process
of its own (so its time and peak memory are the command's alone), and scores the OUTPUT's
clusters against the truth: pairwise precision and recall. The same for the naive rule (one
person per exact resident ID, a record without one alone). Prints a table and one JSON line:
`precision_ratio`, `recall_ratio`, `records_per_s` (end to end: reading the CSV to writing
the OUTPUT), `cpu_s_per_1k_records`, `peak_rss_mb`, `id_only_precision_ratio`,
`id_only_recall_ratio`."""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, json_line, machine_print


def _clusters_read(path: Path, record_ids: np.ndarray) -> np.ndarray:
    """The OUTPUT's person of each generated record, as a number; every record must be there."""
    position = {rid: i for i, rid in enumerate(record_ids.tolist())}
    cluster = np.full(len(record_ids), -1, dtype=np.int64)
    people: dict[str, int] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for record_id, person_id in reader:
            cluster[position[record_id]] = people.setdefault(person_id, len(people))
    if (cluster < 0).any():
        raise SystemExit(f"{int((cluster < 0).sum())} records have no row in the OUTPUT")
    return cluster


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=2_250_000)
    parser.add_argument("--sources", type=int, default=300)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from xietong.mpi.evaluation import pair_scores
    from xietong.mpi.synthetic import records_generate

    machine = machine_print()
    started = time.process_time()
    records = records_generate(
        people=args.people, records=args.records, sources=args.sources, seed=args.seed
    )
    generated_cpu = time.process_time() - started
    print(
        f"generated {len(records):,} records of {args.people:,} people in {generated_cpu:.1f} s CPU"
    )

    with tempfile.TemporaryDirectory(prefix="xt-bench-mpi-") as folder:
        source = Path(folder) / "input.csv"
        target = Path(folder) / "output.csv"
        records.csv_write(source)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        load_before = os.getloadavg()[0]
        wall = time.monotonic()
        subprocess.run(  # noqa: S603 - our own module, our own files
            [
                sys.executable,
                "-W",
                "ignore",
                "-m",
                "xietong.mpi",
                "link",
                str(source),
                str(target),
                "--engine",
                args.engine,
            ],
            check=True,
            cwd=ROOT,
        )
        wall = time.monotonic() - wall
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        load_after = os.getloadavg()[0]
        cluster = _clusters_read(target, records.columns["record_id"])

    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak_mb = after.ru_maxrss / 1024
    scores = pair_scores(cluster=cluster, truth=records.person)

    # The naive rule: records with the same resident ID, typed right or wrong, are one person.
    ids = records.columns["resident_id"]
    naive_started = time.process_time()
    keyed = np.where(ids != "", ids, np.char.add("#", records.columns["record_id"]))
    _, naive = np.unique(keyed, return_inverse=True)
    naive_cpu = time.process_time() - naive_started
    naive_scores = pair_scores(cluster=naive.astype(np.int64), truth=records.person)

    n = len(records)
    print(f"{'':24}{'precision':>12}{'recall':>10}{'records/s':>12}{'CPU s/1k':>10}")
    print(
        f"{'Fellegi–Sunter (' + args.engine + ')':24}{scores.precision:>12.5f}"
        f"{scores.recall:>10.5f}{n / wall:>12,.0f}{cpu / n * 1000:>10.3f}"
    )
    print(
        f"{'exact resident ID':24}{naive_scores.precision:>12.5f}{naive_scores.recall:>10.5f}"
        f"{n / naive_cpu if naive_cpu else 0:>12,.0f}{naive_cpu / n * 1000:>10.3f}"
    )
    print(
        f"link: {wall:.1f} s wall, {cpu:.1f} s CPU, peak {peak_mb:,.0f} MB; "
        f"{scores.predicted_pairs:,} pairs put together, {scores.true_pairs:,} true; "
        f"load {load_before:.2f} before, {load_after:.2f} after"
    )
    json_line(
        {
            "bench": "mpi",
            **machine,
            "engine": args.engine,
            "people_count": args.people,
            "records_count": n,
            "precision_ratio": round(scores.precision, 6),
            "recall_ratio": round(scores.recall, 6),
            "records_per_s": round(n / wall),
            "link_wall_s": round(wall, 1),
            "cpu_s_per_1k_records": round(cpu / n * 1000, 4),
            "peak_rss_mb": round(peak_mb),
            "id_only_precision_ratio": round(naive_scores.precision, 6),
            "id_only_recall_ratio": round(naive_scores.recall, 6),
            "load_1m_after": round(load_after, 2),
        }
    )


if __name__ == "__main__":
    main()
