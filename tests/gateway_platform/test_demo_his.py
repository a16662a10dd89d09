"""The demo's simulated HIS through a real gateway process into a live platform: the HL7 v2
it sends is acknowledged by `xt-gateway run`, pushed as FHIR to the platform over HTTP, and
arrives as the county hospital's patients' records, with the gateway's heartbeat."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db.utils import OperationalError
from django.utils import timezone

from xietong.demo.gateway import demo_gateway_config
from xietong.demo.his import SimulatedHis, his_patients
from xietong.exchange.connection import progress
from xietong.exchange.models import ExchangeMessage, FhirResource, Gateway
from xietong.exchange.tests.factories import make_gateway
from xietong.patients.tests.factories import an_institution, make_patient

pytestmark = pytest.mark.django_db(transaction=True)
GATEWAY_PACKAGE = Path(__file__).resolve().parents[2] / "gateway"


def wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return
        except OperationalError:
            # SQLite's shared-cache memory database, written by the server's thread at this
            # moment, refuses a reader at once instead of making it wait: ask again.
            pass
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.fixture
def gateway_process(
    tmp_path: Path, live_server: Any
) -> Iterator[tuple[Gateway, int, Any, Callable[[], int]]]:
    hospital = an_institution(name="演示县人民医院")
    gateway, secret = make_gateway(hospital)
    (tmp_path / "secret").write_text(secret + "\n", encoding="utf-8")
    config = demo_gateway_config(
        folder=tmp_path, institution_code=hospital.code, platform_url=live_server.url,
        mllp_port=0,
    )  # fmt: skip
    # This checkout's gateway package, as the platform's tests import it.
    path = os.pathsep.join(p for p in (str(GATEWAY_PACKAGE), os.environ.get("PYTHONPATH")) if p)
    process = subprocess.Popen(  # noqa: S603 - the gateway of this checkout
        [sys.executable, "-m", "xt_gateway", "run", "--config", str(config)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONPATH": path},
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("xt-gateway ready on port"), line

    def stop() -> int:
        process.terminate()
        return process.wait(20)

    try:
        yield gateway, int(line.rsplit(" ", 1)[1]), hospital, stop
    finally:
        stop()


def test_the_simulated_his_fills_the_records_through_a_real_gateway(
    gateway_process: tuple[Gateway, int, Any, Callable[[], int]],
) -> None:
    gateway, port, hospital, stop = gateway_process
    patients = [make_patient(hospital), make_patient(hospital)]
    his = SimulatedHis(his_patients(institution_id=hospital.pk), host="127.0.0.1", port=port)
    assert [p.resident_id for p in his.patients] == [p.resident_id for p in patients]
    # Each patient's visit registered (ADT^A04), then a lab result each (ORU^R01).
    assert [his.send_one() for _n in range(4)] == ["AA"] * 4

    wait_for(lambda: ExchangeMessage.objects.filter(gateway=gateway).count() == 4)
    wait_for(lambda: Gateway.objects.get(pk=gateway.pk).last_success_at is not None)
    assert stop() == 0  # SIGTERM: the gateway stops cleanly, and nothing writes any more
    assert all(m.refused_count == 0 for m in ExchangeMessage.objects.all())
    kinds = sorted(
        FhirResource.objects.filter(source_institution=hospital).values_list(
            "resource_type", flat=True
        )
    )
    # Per patient: one Patient, one Encounter, one DiagnosticReport and three results.
    assert kinds == sorted(["Patient", "Encounter", "DiagnosticReport"] * 2 + ["Observation"] * 6)
    # Every record is linked to our patient, found by the resident ID the HIS sent.
    linked = set(FhirResource.objects.values_list("patient_id", flat=True))
    assert linked == {p.pk for p in patients}

    beat = Gateway.objects.get(pk=gateway.pk)
    now = timezone.now()
    assert progress.gateway_state(active=True, heartbeat_at=beat.heartbeat_at, now=now) == (
        "connected"
    )
    assert now - (beat.last_success_at or now - dt.timedelta(days=1)) < dt.timedelta(minutes=1)
    table = progress.resources_per_day(gateway_ids=[gateway.pk], now=now)[gateway.pk]
    assert dict((kind, total) for kind, _counts, total in table.rows) == {
        "DiagnosticReport": 2, "Encounter": 2, "Observation": 6, "Patient": 2,
    }  # fmt: skip
