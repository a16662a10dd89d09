"""Benchmark: data exchange on PostgreSQL.

    ./xt bench exchange [--resources 200000] [--searches 300]
    (XT_BENCH_DATABASE_URL, default a local xietong_bench_exchange, dropped and made afresh)

Reading (bench/exchange_reads.py): a table of pushed resources is bulk-loaded (COPY, with
search columns and tokens as the push writes them); then a hospital's doctor runs FHIR
searches (a patient's latest results, one test over a period, with `_include` of the
Patient, what arrived lately) and `Patient/$everything` pages through the whole request
path, bearer token and audit event included. Prints a table, then one JSON line with
`fhir_search_p95_ms` (goal < 50 at 10M resources) and `everything_p95_ms`. The goal's 10M
takes about 20 GB: pass --resources 10000000 on a machine with room for it."""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import DEFAULT_URL, Timings, database_fresh, json_line, machine_print, table_print

BENCH_URL = DEFAULT_URL.rsplit("/", 1)[0] + "/xietong_bench_exchange"
GOAL_SEARCH_P95_MS = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--resources", type=int, default=200_000)
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument(
        "--reuse", action="store_true", help="time the reads over the last run's table"
    )
    args = parser.parse_args()
    machine = machine_print()
    os.environ.setdefault("XT_BENCH_DATABASE_URL", BENCH_URL)
    if not args.reuse:
        database_fresh(os.environ["XT_BENCH_DATABASE_URL"])
    from _common import django_setup

    django_setup()
    import exchange_reads as reads
    from django.db import connection, transaction

    rng = random.Random(12)
    started = time.perf_counter()
    if args.reuse:
        hospitals, patient_ids, loaded, first_patient = reads.province_found()
    else:
        with transaction.atomic():
            residents = max(1, args.resources // reads.PER_PATIENT)
            hospitals, patient_ids = reads.province(rng, residents)
            loaded, first_patient = reads.resources_load(rng, hospitals, patient_ids)
    load_s = time.perf_counter() - started
    print(f"loaded {loaded} resources in {load_s:.1f} s", file=sys.stderr)
    # What autovacuum does soon after a bulk load: the visibility map that lets a search
    # answer from its index alone.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) exchange_fhirtoken")
        cursor.execute("VACUUM (ANALYZE) exchange_fhirresource")

    timings = Timings()
    reads.reads_time(rng, hospitals[0], patient_ids, first_patient, args.searches, timings)
    table_print(timings, f"FHIR reads over {loaded} resources (ms)")
    search_p95 = timings.p("fhir ", 95)
    json_line(
        {
            "bench": "exchange",
            **machine,
            "resources_count": loaded,
            "bulk_load_resources_per_s": None if args.reuse else round(loaded / load_s),
            "fhir_search_p50_ms": timings.p("fhir ", 50),
            "fhir_search_p95_ms": search_p95,
            "fhir_search_goal_p95_ms": GOAL_SEARCH_P95_MS,
            "everything_p50_ms": timings.p("everything", 50),
            "everything_p95_ms": timings.p("everything", 95),
        }
    )


if __name__ == "__main__":
    main()
