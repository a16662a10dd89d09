"""Benchmark: booking referral slots under contention, and the slot search.

    ./xt bench referrals [--workers 16] [--bookings 150]
    (XT_BENCH_DATABASE_URL, default a local xietong_bench_booking, created and migrated)

Sets up a province slice (provincial and municipal hospitals publishing department, expert
and CT/MRI/ultrasound schedules with three weeks of slots), empties earlier runs' bookings,
then lets N workers (threads, each with its own database connection) book through
`booking_create` at once: a third of the attempts go to a few popular slots, so many race
for the same last places. Afterwards the database is checked for slots holding more
bookings than their capacity (must be none). Then times the search for a department's free
slots over the next two weeks. Goals: >= 300 bookings/s, 0 overbooked, search p95 < 30 ms."""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, Timings, database_ensure, json_line, percentile, table_print

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/xietong_bench_booking"
GOAL_BOOKINGS_PER_S = 300
GOAL_SEARCH_P95_MS = 30
SEARCHES = 300


def setup() -> None:
    import os

    url = os.environ.get("XT_BENCH_DATABASE_URL", DEFAULT_URL)
    database_ensure(url)
    os.environ["XT_DATABASE_URL"] = url
    # One connection per thread here, made and closed by the benchmark itself (a pool does
    # not survive the forks some benchmarks make).
    os.environ["XT_DB_POOL"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.embedded"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def province_slice() -> tuple[list[Any], dict[int, Any], list[Any]]:
    """Hospitals, a desk actor per hospital, and county doctors who book (created once)."""
    from xietong.accounts.actors import actor_for_membership
    from xietong.accounts.models import Membership, User
    from xietong.directory.models import Institution, Region

    province, _ = Region.objects.get_or_create(
        code="419900", defaults={"name": "基准省", "level": "province", "path": "419900/"}
    )
    hospitals = []
    for i, level in enumerate(
        ["provincial", "provincial", "municipal", "municipal", "municipal", "municipal"]
    ):
        hospital, _ = Institution.objects.get_or_create(
            code=f"BENCH-H{i}",
            defaults={
                "name": f"基准{'省' if level == 'provincial' else '市'}医院{i}",
                "level": level,
                "kind": "hospital",
                "region": province,
            },
        )
        hospitals.append(hospital)
    county, _ = Institution.objects.get_or_create(
        code="BENCH-C0",
        defaults={"name": "基准县医院", "level": "county", "kind": "hospital", "region": province},
    )

    def member(username: str, institution: Any, role: str) -> Any:
        user, _ = User.objects.get_or_create(username=username)
        membership, _ = Membership.objects.get_or_create(
            user=user, institution=institution, defaults={"roles": [role]}
        )
        return actor_for_membership(
            Membership.objects.select_related("user", "institution__region").get(pk=membership.pk)
        )

    from xietong.directory.models import CollaborationLink

    for hospital in hospitals:  # the county refers up to every hospital of the slice
        CollaborationLink.objects.get_or_create(
            provider=hospital, client=county, service="referral"
        )
    desks = {h.pk: member(f"bench_desk_{h.code}", h, "referral_desk") for h in hospitals}
    doctors = [member(f"bench_doctor_{n}", county, "requester") for n in range(32)]
    return hospitals, desks, doctors


def publish(hospitals: list[Any], desks: dict[int, Any]) -> None:
    from django.db import connection
    from django.utils import timezone

    from xietong.scheduling.demo import scheduling_demo_seed
    from xietong.scheduling.models import Booking, Schedule, Slot, SlotStatus
    from xietong.scheduling.services import slots_generate

    scheduling_demo_seed(
        rng=random.Random(7),
        institutions=hospitals,
        actor_for=lambda h: desks[h.pk],
        departments_per_hospital=8,
    )
    # A fresh start for each run: earlier bookings go, slots are emptied and renewed.
    Booking.objects.filter(slot__institution__in=hospitals).delete()
    Slot.objects.filter(institution__in=hospitals).update(booked_count=0, status=SlotStatus.FREE)
    today = timezone.localdate()
    for schedule in Schedule.objects.filter(institution__in=hospitals):
        slots_generate(
            actor=desks[schedule.institution_id],
            schedule=schedule,
            start_date=today,
            end_date=today + dt.timedelta(days=20),
        )
    # Freshly bulk-created rows have no statistics until autovacuum's analyze comes round;
    # without them the planner sorts a department's whole fortnight instead of reading
    # the (department, start) index in order and stopping at the limit.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE scheduling_slot")
        cursor.execute("ANALYZE scheduling_schedule")


def _in_processes(workers: int, work: Callable[[int, Any], Any]) -> tuple[list[Any], float]:
    """Runs work(n, barrier) in `workers` forked processes, each with its own database
    connection, as a server's worker processes would; returns what each returned and the
    seconds from the common start to the last finish."""
    import multiprocessing

    from django.db import connections

    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(workers + 1)
    results = ctx.Queue()
    connections.close_all()  # a connection must never be shared across a fork

    def run(n: int) -> None:
        try:
            results.put(work(n, barrier))
        finally:
            connections.close_all()

    processes = [ctx.Process(target=run, args=(n,)) for n in range(workers)]
    for p in processes:
        p.start()
    barrier.wait(60)
    started = time.perf_counter()
    gathered = [results.get(timeout=600) for _ in processes]
    elapsed = time.perf_counter() - started
    for p in processes:
        p.join()
    return gathered, elapsed


def book_all(
    doctors: list[Any], workers: int, per_worker: int, timings: Timings
) -> tuple[int, int, float]:
    from django.utils import timezone

    from xietong.scheduling.models import Slot, SlotStatus
    from xietong.scheduling.services import SlotTaken, booking_create

    soon = timezone.now() + dt.timedelta(hours=2)
    slots = list(Slot.objects.filter(status=SlotStatus.FREE, start__gt=soon).order_by("id"))
    rng = random.Random(20261122)
    popular = rng.sample(slots, k=min(24, len(slots)))

    def work(n: int, barrier: Any) -> tuple[int, int, list[float]]:
        local_rng = random.Random(n)
        actor = doctors[n % len(doctors)]
        mine: list[float] = []
        ok = no = 0
        barrier.wait(60)
        for _ in range(per_worker):
            slot = local_rng.choice(popular if local_rng.random() < 0.33 else slots)
            via_referral = local_rng.random() < 0.7
            started = time.perf_counter()
            try:
                booking_create(
                    actor=actor,
                    slot=slot,
                    subject_type="referral",
                    subject_id=uuid.uuid4(),
                    via_referral=via_referral,
                    # A referral's place is booked by the referral workflow only.
                    workflow="referral",
                )
                ok += 1
            except SlotTaken:
                no += 1
            mine.append((time.perf_counter() - started) * 1000)
        return ok, no, mine

    gathered, elapsed = _in_processes(workers, work)
    for _ok, _no, mine in gathered:
        timings.samples.setdefault("booking_create", []).extend(mine)
    return sum(g[0] for g in gathered), sum(g[1] for g in gathered), elapsed


def audit_ceiling(doctors: list[Any], workers: int, per_worker: int = 50) -> float:
    """Transactions per second that write nothing but one audit record, with the same
    workers: every audited write appends to an audit chain, so this bounds the booking
    rate whatever scheduling does."""
    from django.db import transaction

    from xietong.core.audit import audit_record
    from xietong.core.audit_vocabulary import AuditVocabulary, audit_vocabulary_register

    # The probe's own words, so the audit log's vocabulary check lets it through unremarked.
    audit_vocabulary_register(
        AuditVocabulary(
            actions={"bench.probe": "benchmark probe"}, resource_types={"BenchProbe": "probe"}
        )
    )

    def work(n: int, barrier: Any) -> None:
        barrier.wait(60)
        for _ in range(per_worker):
            with transaction.atomic():
                audit_record(
                    actor=doctors[n % len(doctors)],
                    action="bench.probe",
                    resource_type="BenchProbe",
                )

    _, elapsed = _in_processes(workers, work)
    return workers * per_worker / elapsed


def overbooked_count(hospitals: list[Any]) -> tuple[int, int]:
    """Slots whose bookings in the database exceed their capacity, and slots whose counter
    disagrees with their bookings; both must be zero."""
    from django.db.models import Count, F, Q

    from xietong.scheduling.models import HOLDING, Slot

    held = Slot.objects.filter(institution__in=hospitals).annotate(
        held=Count("bookings", filter=Q(bookings__status__in=HOLDING))
    )
    over = held.filter(held__gt=F("capacity")).count()
    mismatched = held.exclude(held=F("booked_count")).count()
    return over, mismatched


def searches(hospitals: list[Any], timings: Timings) -> None:
    from django.utils import timezone

    from xietong.scheduling.models import Slot
    from xietong.scheduling.selectors import slots_free

    pairs = list(
        Slot.objects.filter(institution__in=hospitals)
        .values_list("institution_id", "department_id")
        .distinct()
    )
    rng = random.Random(11)
    for i in range(SEARCHES + 20):
        institution_id, department_id = rng.choice(pairs)
        now = timezone.now()
        kwargs: dict[str, Any] = {
            "department": department_id,
            "start": now,
            "end": now + dt.timedelta(days=14),
            "via_referral": rng.random() < 0.5,
        }
        if rng.random() < 0.5:
            kwargs["institution"] = institution_id
        started = time.perf_counter()
        found = list(slots_free(**kwargs))
        elapsed = (time.perf_counter() - started) * 1000
        assert all(s.start >= now for s in found)
        if i >= 20:  # the first ones warm the caches
            timings.samples.setdefault("slot_search: department 2 weeks", []).append(elapsed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--bookings", type=int, default=150, help="attempts per worker")
    parser.add_argument(
        "--no-sync-commit",
        action="store_true",
        help="commit without waiting for the WAL flush (shows what the flush costs; "
        "not how production runs)",
    )
    args = parser.parse_args()
    import os

    # Two shared cores: the load before the run tells a busy machine from a slow program.
    load = os.getloadavg()
    print(f"machine load before the run (1, 5, 15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    setup()
    if args.no_sync_commit:
        from django.db.backends.signals import connection_created

        def no_flush_wait(connection: Any, **kwargs: Any) -> None:
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO off")

        connection_created.connect(no_flush_wait, weak=False)
    from xietong.scheduling.models import Slot

    hospitals, desks, doctors = province_slice()
    publish(hospitals, desks)
    slot_count = Slot.objects.filter(institution__in=hospitals).count()
    timings = Timings()
    booked, refused, seconds = book_all(doctors, args.workers, args.bookings, timings)
    over, mismatched = overbooked_count(hospitals)
    searches(hospitals, timings)
    ceiling = audit_ceiling(doctors, args.workers)

    commit = "synchronous_commit off" if args.no_sync_commit else "durable commits"
    table_print(
        timings,
        f"referrals benchmark: {len(hospitals)} hospitals, {slot_count} slots, "
        f"{args.workers} workers x {args.bookings} attempts, {commit}",
    )
    per_s = booked / seconds if seconds else 0.0
    book_times = timings.samples.get("booking_create", [])
    search_p95 = timings.p("slot_search", 95)
    print(
        f"bookings {booked}, refused 'slot taken' {refused}, in {seconds:.2f} s "
        f"({per_s:.0f} bookings/s, {(booked + refused) / seconds:.0f} attempts/s)"
    )
    print(f"slots holding more bookings than capacity: {over}; counters off: {mismatched}")
    print(f"ceiling: {ceiling:.0f} audited transactions/s that write only an audit record")
    throughput_met = "met" if per_s >= GOAL_BOOKINGS_PER_S else "MISSED"
    print(
        f"goals: >= {GOAL_BOOKINGS_PER_S} bookings/s {throughput_met}, "
        f"0 overbooked {'met' if over == 0 else 'MISSED'}, search p95 < {GOAL_SEARCH_P95_MS} ms "
        f"{'met' if search_p95 < GOAL_SEARCH_P95_MS else 'MISSED'}"
    )
    json_line(
        {
            "bench": "referrals",
            "bookings_per_s": round(per_s, 1),
            "overbooked_count": over,
            "book_p95_ms": round(percentile(book_times, 95), 2),
            "slot_search_p95_ms": search_p95,
            "book_p50_ms": round(percentile(book_times, 50), 2),
            "refused_count": refused,
            "bookings_count": booked,
            "counter_mismatch_count": mismatched,
            "audit_only_commits_per_s": round(ceiling, 1),
            "synchronous_commit": not args.no_sync_commit,
            "load_before_1min": round(load[0], 2),
        }
    )


if __name__ == "__main__":
    main()
