"""Benchmark: a long schemathesis run against the whole API, in process, on PostgreSQL.

    ./xt bench fuzz [--coverage N] [--examples N] [--seed S] [--only TEXT]
    (XT_BENCH_DATABASE_URL, default a local xietong_bench_fuzz, emptied on every run)

The same calls as the fuzz test (tests/api/fuzzing.py), many more of them and at random:
for every operation up to --coverage of schemathesis' coverage cases and --examples
generated ones, each operation in a transaction that is rolled back, as in the tests.
Prints the machine's load, a table of the time per call by app, the first findings, then
one JSON line. Goal: server_errors_count 0 and schema_violations_count 0."""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, Timings, database_fresh, json_line, table_print

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/xietong_bench_fuzz"


def django_setup(url: str) -> None:
    """The test settings (immediate tasks, in-memory channels, fast password hashing) on
    the benchmark's own database: the fuzzed calls are the tests' calls, run longer."""
    database_fresh(url)
    os.environ["XT_TEST_DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def load_print() -> None:
    one, five, fifteen = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs, load {one:.2f} {five:.2f} {fifteen:.2f}")


def run(args: argparse.Namespace, timings: Timings) -> tuple[int, list[Any], int]:
    import logging

    from django.db import transaction

    from tests.api.fuzzing import fuzz, fuzz_schema, operation_id, operations, target_build

    # Every 4xx is logged as a warning, every 5xx with its traceback: the findings say it.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    chosen = [op for op in operations(fuzz_schema()) if args.only in operation_id(op)]
    rng = random.Random(args.seed)
    cases, findings = 0, []
    for op in chosen:
        app = op.path.split("/")[3] if op.path.count("/") >= 3 else op.path
        last = [time.perf_counter()]

        def tick(app: str = app, last: list[float] = last) -> None:
            now = time.perf_counter()
            timings.samples.setdefault(app, []).append((now - last[0]) * 1000)
            last[0] = now

        # Rolled back as a test's transaction is, and marked as one: services that insist on
        # a transaction of their own (durable) accept it, as they do in the tests.
        block = transaction.atomic()
        block._from_testcase = True  # type: ignore[attr-defined]
        with block:
            target = fuzz(
                target_build(op), coverage=args.coverage, examples=args.examples,
                seed=rng.randrange(2**32), on_case=tick,
            )  # fmt: skip
            transaction.set_rollback(True)
        cases += target.cases
        findings += target.findings
        print(f"{operation_id(op)}: {target.cases} cases, {len(target.findings)} findings",
              file=sys.stderr)  # fmt: skip
    return cases, findings, len(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--coverage", type=int, default=200, help="coverage cases per operation")
    parser.add_argument("--examples", type=int, default=60, help="generated cases per operation")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--only", default="", help="operations whose 'METHOD /path' has this")
    args = parser.parse_args()
    django_setup(os.environ.get("XT_BENCH_DATABASE_URL", DEFAULT_URL))
    load_print()
    timings = Timings()
    started = time.perf_counter()
    cases, findings, count = run(args, timings)
    seconds = time.perf_counter() - started
    table_print(timings, f"fuzz benchmark: {count} operations, seed {args.seed}, PostgreSQL")
    kinds = Counter(f.kind for f in findings)
    per_operation = Counter(f"{f.operation} [{f.status}]" for f in findings)
    shown: set[str] = set()
    for finding in findings:  # the first of each kind, with its traceback
        key = f"{finding.operation} [{finding.status}]"
        if key not in shown:
            shown.add(key)
            print(f"\n{finding}", file=sys.stderr)
    for name, n in per_operation.most_common(20):
        print(f"finding: {name} x{n}")
    print(f"{cases} cases in {seconds:.1f} s; goal: no server errors and no schema violations "
          f"{'met' if not findings else 'MISSED'}")  # fmt: skip
    json_line(
        {
            "bench": "fuzz",
            "cases_count": cases,
            "server_errors_count": kinds["server_error"],
            "schema_violations_count": kinds["schema_violation"],
            "operations_count": count,
            "seed": args.seed,
            "seconds": round(seconds, 1),
        }
    )


if __name__ == "__main__":
    main()
