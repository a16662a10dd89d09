"""Benchmark: the expert library and patient search on a full-scale demo province.

    ./xt bench directory        (XT_BENCH_DATABASE_URL, default a local xietong_bench)

Seeds the full province (over 3,000 experts and 100,000 residents) on first use, then runs
300 expert-library searches with varied filters through the directory's selector and 300
patient searches (resident ID, name with birth date, phone, free text) through the patients
selector, as a county doctor. Prints a table, then one JSON line. Goal: both p95 < 50 ms."""

from __future__ import annotations

import random
import sys
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Timings, django_setup, json_line, table_print

SEARCHES = 300
WARM_UP = 20
GOAL_P95_MS = 50


def seed_full() -> None:
    from xietong.demo.seed import demo_seed
    from xietong.directory.models import Expert
    from xietong.patients.models import Patient

    demo_seed(scale="full", if_empty=True, say=lambda message: print(message, file=sys.stderr))
    patients, experts = Patient.objects.count(), Expert.objects.count()
    if patients < 100_000 or experts < 3_000:
        sys.exit(
            f"the bench database holds a smaller province ({patients} residents, {experts} "
            "experts); drop it (or point XT_BENCH_DATABASE_URL elsewhere) and run again"
        )


def expert_queries(rng: random.Random, n: int) -> list[dict[str, Any]]:
    from xietong.demo.staff import SPECIALTIES, specialist_departments
    from xietong.directory.models import Service

    departments = [*specialist_departments(), "03", "04"]
    words = sorted({s[:3] for values in SPECIALTIES.values() for s in values})
    free_text = ["王", "李", "张", "协同", "豫州", "中心医院", "脑", "肿瘤", "心", "儿童"]
    options: list[tuple[str, list[Any]]] = [
        ("department", departments),
        ("specialty", words),
        ("title", ["chief", "associate_chief"]),
        ("institution_level", ["provincial", "municipal"]),
        ("service", list(Service.values)),
        ("q", free_text),
    ]
    queries = []
    for _i in range(n):
        chosen = rng.sample(options, k=rng.randint(1, 3))
        query = {name: rng.choice(values) for name, values in chosen}
        query["offset"] = rng.choice([0, 0, 0, 20, 40])
        queries.append(query)
    return queries


def expert_page(query: dict[str, Any]) -> int:
    """What the expert library page and the API ask for: one page of experts and the total."""
    from xietong.directory.selectors import expert_search_page

    filters = {k: v for k, v in query.items() if k != "offset"}
    page = expert_search_page(**filters, limit=20, offset=query["offset"])
    assert len(page.experts) <= page.total
    return page.total


def patient_queries(
    rng: random.Random, n: int, institution_id: int
) -> list[tuple[str, dict[str, Any], bool]]:
    """(kind, arguments, whether the patient is the actor's): four kinds in turn; one in
    five targets a resident of another institution, whom the search must not return."""
    from xietong.patients.models import CareRelationship, Patient

    mine_ids = list(
        CareRelationship.objects.filter(institution_id=institution_id)
        .order_by("patient_id")
        .values_list("patient_id", flat=True)
    )
    mine = list(Patient.objects.filter(pk__in=rng.sample(mine_ids, k=min(200, len(mine_ids)))))
    others = list(Patient.objects.exclude(care__institution_id=institution_id).order_by("?")[:100])
    queries = []
    kinds = ["resident_id", "name_birth_date", "phone", "q"]
    for i in range(n):
        visible = rng.random() >= 0.2
        patient = rng.choice(mine if visible else others)
        kind = kinds[i % len(kinds)]
        if kind == "resident_id":
            args: dict[str, Any] = {"resident_id": patient.resident_id}
        elif kind == "name_birth_date":
            args = {"name": patient.name, "birth_date": patient.birth_date}
        elif kind == "phone":
            args = {"phone": patient.phone}
        else:
            args = {"q": rng.choice([patient.name[:2], patient.resident_id, patient.phone])}
        queries.append((kind, args, visible))
    return queries


def main() -> None:
    django_setup()
    seed_full()
    from xietong.accounts.actors import actor_for_membership
    from xietong.accounts.models import Membership
    from xietong.directory.models import Expert
    from xietong.patients.models import Patient
    from xietong.patients.selectors import patient_search

    membership = Membership.objects.select_related("user", "institution__region").get(
        user__username="doctor_county"
    )
    actor = actor_for_membership(membership)
    rng = random.Random(20261122)
    timings = Timings()

    expert_list = expert_queries(rng, SEARCHES + WARM_UP)
    for query in expert_list[:WARM_UP]:
        expert_page(query)
    for query in expert_list[WARM_UP:]:
        timings.run("expert_search", partial(expert_page, query))

    hidden_found = 0
    patient_list = patient_queries(rng, SEARCHES + WARM_UP, membership.institution_id)
    for _kind, args, _visible in patient_list[:WARM_UP]:
        patient_search(actor=actor, **args)
    for kind, args, visible in patient_list[WARM_UP:]:
        found = timings.run(f"patient_search: {kind}", partial(patient_search, actor=actor, **args))
        if not visible and "q" not in args and found:
            hidden_found += 1  # exact criteria of someone else's patient must find nobody

    patients, experts = Patient.objects.count(), Expert.objects.count()
    table_print(
        timings,
        f"directory benchmark: {experts} experts, {patients} residents, "
        f"acting as {actor.username} at {actor.institution_name}",
    )
    expert_p95 = timings.p("expert_search", 95)
    patient_p95 = timings.p("patient_search", 95)
    result = {
        "bench": "directory",
        "expert_search_p50_ms": timings.p("expert_search", 50),
        "expert_search_p95_ms": expert_p95,
        "patient_search_p50_ms": timings.p("patient_search", 50),
        "patient_search_p95_ms": patient_p95,
        "patients_count": patients,
        "experts_count": experts,
        "hidden_patients_found_count": hidden_found,
    }
    print(
        f"goal p95 < {GOAL_P95_MS} ms: expert search "
        f"{'met' if expert_p95 < GOAL_P95_MS else 'MISSED'}, "
        f"patient search {'met' if patient_p95 < GOAL_P95_MS else 'MISSED'}"
    )
    json_line(result)


if __name__ == "__main__":
    main()
