"""The reading half of `./xt bench exchange`: FHIR searches and `Patient/$everything` over a
bulk-loaded table of pushed resources, on PostgreSQL.

Residents each have a Patient resource at two hospitals and about 40 resources between them
(results, diagnoses, visits, prescriptions, reports; about 2 KB of JSON each, as a HIS
sends), loaded with COPY straight into the exchange tables with their search columns and
tokens as the push writes them. A doctor at one hospital then asks, through the whole
request path (bearer token, view, searcher, audit event), for the patients that hospital
cares for: their latest results, one test over a period, results with their Patient
included, what arrived lately, and their whole record page by page."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Callable
from typing import Any

HOSPITALS = 10
PER_PATIENT = 40
# (type, share of a resident's resources); a resident's two Patient resources come first.
MIX = [
    ("Observation", 0.6),
    ("Condition", 0.1),
    ("Encounter", 0.1),
    ("MedicationRequest", 0.1),
    ("DiagnosticReport", 0.1),
]
LOINC = ["2345-7", "718-7", "2823-3", "2160-0", "1742-6", "6690-2", "777-3", "4548-4"]
START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
ARRIVED = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
# A HIS sends long notes: with them a resource weighs about 2 KB, and no two notes alike
# (one repeated note would shrink to nothing in PostgreSQL's compression).
PHRASES = ["检验结果已复核", "标本合格", "标本轻度溶血", "已电话通知临床", "请结合临床",
           "建议复查", "较前次升高", "较前次下降", "危急值已报告", "患者空腹采血", "门诊随访",
           "住院期间", "遵医嘱服药", "血压控制尚可", "无药物过敏史", "既往高血压病史"]  # fmt: skip


def province(rng: random.Random, patients_count: int) -> tuple[list[Any], list[int]]:
    """Hospitals and residents (each cared for by two neighbouring hospitals)."""
    from xietong.directory.models import Institution, Region
    from xietong.patients.models import CareReason, CareRelationship, Patient

    region, _ = Region.objects.get_or_create(
        code="419800", defaults={"name": "交换基准省", "level": "province", "path": "419800/"}
    )
    hospitals = [
        Institution.objects.get_or_create(
            code=f"BENCH-X{i}",
            defaults={
                "name": f"交换基准医院{i}",
                "level": "municipal",
                "kind": "hospital",
                "region": region,
            },
        )[0]
        for i in range(HOSPITALS)
    ]
    created = Patient.objects.bulk_create(
        [
            Patient(
                name=f"居民{n}",
                sex=rng.choice("MF"),
                birth_date=dt.date(1940 + n % 60, 1, 1),
                resident_id=f"41980019{n:010d}",
                registered_by=hospitals[n % HOSPITALS],
            )
            for n in range(patients_count)
        ],
        batch_size=5000,
    )
    CareRelationship.objects.bulk_create(
        [
            CareRelationship(
                patient=p,
                institution=hospitals[(n + k) % HOSPITALS],
                reason=CareReason.REGISTERED if k == 0 else CareReason.CARES,
            )
            for n, p in enumerate(created)
            for k in (0, 1)
        ],
        batch_size=5000,
    )
    return hospitals, [p.pk for p in created]


def _resource(kind: str, rng: random.Random, code: str, subject: str, when: str) -> Any:
    base: dict[str, Any] = {"resourceType": kind, "subject": {"reference": subject},
                            "note": [{"text": "，".join(rng.choices(PHRASES, k=90))}]}  # fmt: skip
    if kind == "Observation":
        return base | {
            "status": "final",
            "category": [{"coding": [{"code": "laboratory", "system":
                          "http://terminology.hl7.org/CodeSystem/observation-category"}]}],
            "code": {"coding": [{"system": "http://loinc.org", "code": code},
                                {"system": "urn:xietong:code:BENCH:lab", "code": f"L{code}"}]},
            "effectiveDateTime": when,
            "valueQuantity": {"value": round(rng.uniform(2, 12), 1), "unit": "mmol/L"},
        }  # fmt: skip
    if kind == "Condition":
        return base | {"code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10",
                                            "code": "I10"}]}, "onsetDateTime": when}  # fmt: skip
    if kind == "Encounter":
        return base | {"status": "finished", "class": {"code": "AMB"},
                       "period": {"start": when}}  # fmt: skip
    if kind == "MedicationRequest":
        return base | {"status": "active", "intent": "order", "authoredOn": when,
                       "medicationCodeableConcept": {"text": "氨氯地平片"}}  # fmt: skip
    return base | {"status": "final", "code": {"coding": [{"system": "http://loinc.org",
                                                           "code": "24323-8"}]},
                   "effectiveDateTime": when}  # fmt: skip


CHUNK = 500  # residents per pair of COPYs: the tokens of a chunk wait in memory, not all


def _resident_rows(
    rng: random.Random, n: int, patient_id: int, hospitals: list[Any], next_id: int
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], str]:
    """One resident's resource rows and token rows, and their first Patient resource's id."""
    from xietong.exchange.push.columns import resource_date, resource_tokens

    rows: list[tuple[Any, ...]] = []
    tokens: list[tuple[Any, ...]] = []
    subjects = []
    for k in (0, 1):
        hospital = hospitals[(n + k) % HOSPITALS]
        logical = uuid.uuid4()
        subjects.append((hospital, f"Patient/{logical}"))
        content = {"resourceType": "Patient", "id": str(logical), "identifier": [
            {"system": f"urn:xietong:mrn:{hospital.code}", "value": f"M{n}"},
            {"system": "urn:xietong:resident-id", "value": f"41980019{n:010d}"}],
            "name": [{"text": f"居民{n}"}], "birthDate": "1960-01-01"}  # fmt: skip
        rows.append((next_id + len(rows), "Patient", logical, 1, json.dumps(content), patient_id,
                     f"Patient/{logical}", hospital.pk, ARRIVED,
                     resource_date("Patient", content), ""))  # fmt: skip
        tokens += [(rows[-1][0], "Patient", *t, patient_id, rows[-1][9])
                   for t in resource_tokens("Patient", content)]  # fmt: skip
    kinds, weights = [k for k, _ in MIX], [w for _, w in MIX]
    for m in range(PER_PATIENT - 2):
        kind = rng.choices(kinds, weights)[0]
        hospital, subject = subjects[m % 2]
        when = START + dt.timedelta(minutes=rng.randrange(700 * 24 * 60))
        content = _resource(kind, rng, rng.choice(LOINC), subject, when.isoformat())
        logical = uuid.uuid4()
        content["id"] = str(logical)
        content["identifier"] = [
            {"system": f"urn:xietong:source:{hospital.code}:{kind}", "value": f"{n}-{m}"}
        ]
        arrived = ARRIVED + dt.timedelta(minutes=rng.randrange(60 * 24 * 60))
        rows.append((next_id + len(rows), kind, logical, 1, json.dumps(content), patient_id,
                     subject, hospital.pk, arrived, resource_date(kind, content),
                     content.get("status", "")))  # fmt: skip
        tokens += [(rows[-1][0], kind, *t, patient_id, rows[-1][9])
                   for t in resource_tokens(kind, content)]  # fmt: skip
    return rows, tokens, subjects[0][1].removeprefix("Patient/")


def resources_load(
    rng: random.Random, hospitals: list[Any], patient_ids: list[int]
) -> tuple[int, dict[int, str]]:
    """COPYs every resident's resources and their tokens; returns how many, and each
    resident's Patient resource at their first hospital (the id a client asks with)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM exchange_fhirresource")
        next_id = cursor.fetchone()[0] + 1
    first_patient: dict[int, str] = {}
    loaded = 0
    raw = connection.cursor().cursor  # psycopg's own cursor, for COPY
    columns = ("id, resource_type, logical_id, version_id, content, patient_id, subject, "
               "source_institution_id, last_updated, date, status")  # fmt: skip
    for chunk in range(0, len(patient_ids), CHUNK):
        tokens: list[tuple[Any, ...]] = []
        with raw.copy(f"COPY exchange_fhirresource ({columns}) FROM STDIN") as copy:
            for n in range(chunk, min(chunk + CHUNK, len(patient_ids))):
                rows, more, first = _resident_rows(rng, n, patient_ids[n], hospitals, next_id)
                for row in rows:
                    copy.write_row(row)
                tokens += more
                first_patient[patient_ids[n]] = first
                next_id += len(rows)
                loaded += len(rows)
        with raw.copy(
            "COPY exchange_fhirtoken (resource_id, resource_type, param, system, value, "
            "patient_id, date) FROM STDIN"
        ) as copy:
            for token in tokens:
                copy.write_row(token)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('exchange_fhirresource', 'id'), %s)",
            [next_id],
        )
        cursor.execute("ANALYZE exchange_fhirresource")
        cursor.execute("ANALYZE exchange_fhirtoken")
        cursor.execute("ANALYZE patients_carerelationship")
    return loaded, first_patient


def province_found() -> tuple[list[Any], list[int], int, dict[int, str]]:
    """What `province` and `resources_load` made in an earlier run, to time the reads again."""
    from xietong.directory.models import Institution
    from xietong.exchange.models import FhirResource
    from xietong.patients.models import Patient

    hospitals = list(Institution.objects.filter(code__startswith="BENCH-X").order_by("code"))
    hospitals.sort(key=lambda h: int(h.code.removeprefix("BENCH-X")))
    patient_ids = list(
        Patient.objects.filter(resident_id__startswith="41980019").order_by("pk").values_list(
            "pk", flat=True)
    )  # fmt: skip
    first_patient: dict[int, str] = {}
    for n, pk in enumerate(patient_ids):
        if n % HOSPITALS in (0, HOSPITALS - 1):  # the patients hospital 0 sees
            first_patient[pk] = str(FhirResource.objects.get(
                resource_type="Patient", patient_id=pk, source_institution=hospitals[n % HOSPITALS]
            ).logical_id)  # fmt: skip
    return hospitals, patient_ids, FhirResource.objects.count(), first_patient


def reads_time(
    rng: random.Random, hospital: Any, patient_ids: list[int], first_patient: dict[int, str],
    searches: int, timings: Any,
) -> None:  # fmt: skip
    """Searches and $everything pages as one doctor of `hospital`, for its own residents."""
    from django.test import Client

    from xietong.accounts.models import Membership, User
    from xietong.accounts.tokens import api_token_issue

    user, _ = User.objects.get_or_create(username=f"bench_reader_{hospital.code}")
    membership, _ = Membership.objects.get_or_create(
        user=user, institution=hospital, defaults={"roles": ["requester"]}
    )
    _token, key = api_token_issue(membership=membership)
    client = Client(headers={"authorization": f"Bearer {key}"})
    # The hospital's residents: registered there, or cared for as the neighbour.
    n_of = {pk: n for n, pk in enumerate(patient_ids)}
    index = hospital.code.removeprefix("BENCH-X")
    ours = [pk for pk, n in n_of.items() if str(n % HOSPITALS) == index
            or str((n + 1) % HOSPITALS) == index]  # fmt: skip
    recent = (ARRIVED + dt.timedelta(days=50)).date().isoformat()
    kinds: dict[str, Callable[[str], dict[str, str]]] = {
        "search latest results": lambda pid: {"patient": pid, "_count": "50"},
        "search one test in a period": lambda pid: {
            "patient": pid,
            "code": f"http://loinc.org|{rng.choice(LOINC)}",
            "date": "ge2025-06-01",
            "_sort": "date",
        },
        "search with _include": lambda pid: {
            "patient": pid,
            "_include": "Observation:patient",
            "_count": "20",
        },
        "search arrived lately": lambda pid: {
            "patient": pid,
            "_lastUpdated": f"ge{recent}",
            "_sort": "-_lastUpdated",
        },
    }
    # The same hospital's doctor asking across every patient it sees (no patient named).
    hospital_wide: dict[str, Callable[[], dict[str, str]]] = {
        "search one test, whole hospital": lambda: {
            "code": f"http://loinc.org|{rng.choice(LOINC)}",
            "date": "ge2026-06-01",
        },
        "search one test, whole hospital, oldest first": lambda: {
            "code": rng.choice(LOINC), "date": "ge2025-06-01", "_sort": "date"},
        "search lab category, whole hospital": lambda: {"category": "laboratory"},
        "search status, whole hospital": lambda: {"status": "final", "_include":
                                                  "Observation:patient"},
        "search arrived lately, whole hospital": lambda: {
            "_lastUpdated": f"ge{recent}", "_sort": "-_lastUpdated"},
        "search one identifier, whole hospital": lambda: {
            "identifier": f"urn:xietong:source:{hospital.code}:Observation|"
                          f"{rng.randrange(len(patient_ids))}-{rng.randrange(PER_PATIENT)}"},
        "search date alone, whole hospital": lambda: {"date": "ge2026-09-01"},
    }  # fmt: skip
    for i in range(searches + 20):  # the first 20 warm the caches and are not counted
        logical = first_patient[rng.choice(ours)]
        name, params = rng.choice(list(kinds.items()))
        with timings.time(f"fhir {name}" if i >= 20 else "warm-up"):
            answer = client.get("/fhir/R4/Observation", params(logical))
        assert answer.status_code == 200, answer.content[:300]
        wide_name, wide = rng.choice(list(hospital_wide.items()))
        with timings.time(f"fhir {wide_name}" if i >= 20 else "warm-up"):
            answer = client.get("/fhir/R4/Observation", wide())
        assert answer.status_code == 200, answer.content[:300]
        offset = rng.choice(["0", "0", "20"])
        with timings.time("everything page" if i >= 20 else "warm-up"):
            answer = client.get(
                f"/fhir/R4/Patient/{logical}/$everything", {"_count": "50", "_offset": offset}
            )
        assert answer.status_code == 200, answer.content[:300]
        assert answer.json()["total"] == PER_PATIENT, answer.json().get("total")
    timings.samples.pop("warm-up", None)
