"""`./xt bench connection`: the connection page's counts at province scale, on PostgreSQL.

300 gateways in 10 counties and 200,000 provenance rows (20,000 messages of 10 resources
of 7 types) spread evenly over the last week up to 18:00 today. Timed, through the same
functions the page calls (the region's resources and messages per day, and a page of 20
gateways' week and resources per day): counting the whole week live (as before the closed
days were kept), the first read of the day (it closes the six past days), and every read
after. Prints the machine's load and, beside the wall times, this process's CPU time (the
database's own work is in the server process and shows only in the wall time)."""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import database_fresh, django_setup, machine_print, percentile

GATEWAYS = 300
MESSAGES = 20_000
PER_MESSAGE = 10
TYPES = ["Observation", "Observation", "Observation", "Encounter", "Condition",
         "DiagnosticReport", "MedicationRequest", "Patient", "AllergyIntolerance",
         "Procedure"]  # fmt: skip
REPEATS = 15
BEIJING = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 12, 5, 18, 0, tzinfo=BEIJING)
DATABASES = "postgres://postgres@127.0.0.1:5432"


def world() -> list[int]:
    """The province, its gateways and their week of rows (SQL, in a few statements)."""
    from django.db import connection

    from xietong.directory.models import Institution, Region
    from xietong.exchange.models import Gateway

    province = Region.objects.create(code="429900", name="接入基准省", level="province",
                                     path="429900/")  # fmt: skip
    counties = [
        Region.objects.create(
            code=f"4299{c:02d}",
            name=f"基准县{c}",
            level="county",
            parent=province,
            path=f"429900/4299{c:02d}/",
        )
        for c in range(1, 11)
    ]
    hospitals = Institution.objects.bulk_create(
        Institution(
            code=f"BENCH-C{i:03d}",
            name=f"接入基准医院{i}",
            level="county",
            kind="hospital",
            grade="2A",
            region=counties[i % 10],
        )
        for i in range(GATEWAYS)
    )
    gateways = Gateway.objects.bulk_create(
        Gateway(institution=h, name="HIS 前置机", secret_hash=f"{i:064x}", secret_prefix="b")
        for i, h in enumerate(hospitals)
    )
    ids = [g.pk for g in gateways]
    week_start = dt.datetime(2026, 11, 29, tzinfo=BEIJING)
    seconds = (NOW - week_start).total_seconds()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO exchange_exchangemessage (gateway_id, message_id, bundle_type,"
            " received_at, entry_count, refused_count, response)"
            " SELECT (%s::int[])[1 + i %% %s], 'm' || i, 'batch',"
            " %s::timestamptz + (i::float / %s) * %s * interval '1 second', %s, i %% 3, '{}'"
            " FROM generate_series(0, %s - 1) i",
            [ids, GATEWAYS, week_start, MESSAGES, seconds, PER_MESSAGE, MESSAGES],
        )
        cursor.execute(
            "INSERT INTO exchange_fhirresource (resource_type, logical_id, version_id, content,"
            " subject, source_institution_id, last_updated, status)"
            " SELECT (%s::text[])[1 + i %% %s], gen_random_uuid(), 1, '{}', '',"
            " (SELECT institution_id FROM exchange_gateway WHERE id = m.gateway_id),"
            " m.received_at, ''"
            " FROM generate_series(0, %s - 1) i"
            " JOIN exchange_exchangemessage m ON m.message_id = 'm' || (i / %s)",
            [TYPES, len(TYPES), MESSAGES * PER_MESSAGE, PER_MESSAGE],
        )
        cursor.execute(
            "INSERT INTO exchange_resourceprovenance (resource_id, version_id, action,"
            " gateway_id, message_id, source_system, received_at)"
            " SELECT r.id, 1, 'create', m.gateway_id, m.id, '', r.last_updated"
            " FROM exchange_fhirresource r JOIN exchange_exchangemessage m"
            " ON m.received_at = r.last_updated"
            " AND m.gateway_id = (SELECT id FROM exchange_gateway g"
            "                     WHERE g.institution_id = r.source_institution_id)"
        )
        cursor.execute("ANALYZE")
    return ids


def timed(func: object) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    func()  # type: ignore[operator]
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main() -> None:
    os.environ.setdefault("XT_BENCH_DATABASE_URL", f"{DATABASES}/xietong_bench_connection")
    database_fresh(os.environ["XT_BENCH_DATABASE_URL"])
    django_setup()
    from django.db import connection

    from xietong.exchange.connection import progress
    from xietong.exchange.models import ResourceProvenance

    machine = machine_print()
    started = time.perf_counter()
    ids = world()
    rows = ResourceProvenance.objects.count()
    print(f"loaded {GATEWAYS} gateways, {rows} provenance rows in "
          f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
    scope = progress.Scope(path="", name="")
    page = ids[:20]

    def counts(split: progress.WeekSplit) -> None:
        progress.region_resources_per_day(scope=scope, region=None, now=NOW, split=split)
        progress.week_messages(gateway_ids=page, now=NOW, split=split)
        progress.resources_per_day(gateway_ids=page, now=NOW, split=split)

    days = progress.week_days(now=NOW)
    live_week = progress.WeekSplit(
        days=days, closed=[], since=dt.datetime.combine(days[0], dt.time.min, tzinfo=BEIJING)
    )
    results: dict[str, list[tuple[float, float]]] = {"live_week": [], "kept": []}
    for _ in range(REPEATS):
        results["live_week"].append(timed(lambda: counts(live_week)))
    first = timed(lambda: counts(progress.week_split(now=NOW)))
    for _ in range(REPEATS):
        results["kept"].append(timed(lambda: counts(progress.week_split(now=NOW))))
    # The same numbers either way, or the speed means nothing.
    region_live = progress.region_resources_per_day(scope=scope, region=None, now=NOW,
                                                    split=live_week)  # fmt: skip
    region_kept = progress.region_resources_per_day(scope=scope, region=None, now=NOW)
    assert region_live.rows == region_kept.rows and region_live.messages == region_kept.messages
    connection.close()
    out: dict[str, object] = {"gateways": GATEWAYS, "provenance_rows": rows, **machine}
    print(f"{'counts of the page':32} {'p50 ms':>8} {'p95 ms':>8} {'cpu ms (median)':>16}")
    for name, values in results.items():
        walls, cpus = [w for w, _c in values], [c for _w, c in values]
        p50, p95, cpu = percentile(walls, 50), percentile(walls, 95), statistics.median(cpus)
        print(f"{name:32} {p50:8.1f} {p95:8.1f} {cpu:16.1f}")
        out |= {f"{name}_p50_ms": round(p50, 1), f"{name}_p95_ms": round(p95, 1),
                f"{name}_cpu_ms": round(cpu, 1)}  # fmt: skip
    print(f"{'first read (closes 6 days)':32} {first[0]:8.1f} {'':8} {first[1]:16.1f}")
    out |= {"first_read_ms": round(first[0], 1), "load_1m_after": round(os.getloadavg()[0], 2)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
