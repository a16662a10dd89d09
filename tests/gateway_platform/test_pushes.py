"""Pushes to hospitals, end to end: real `xt-gateway run` processes against a live platform.

The county hospital's gateway announces its inbound address in its heartbeat; an opinion
signed for a county patient reaches it once, through the drop folder, even when the gateway
was down when it was signed (the platform retries) and when the platform sends it again. The
gateway of another hospital and a revoked gateway of the county receive nothing; while the
county's gateway is down, the administrator's list of stuck pushes shows the message."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, cast

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from xt_gateway.cli import main

from xietong.accounts.tests.factories import make_actor
from xietong.consultations.tests.world import make_world
from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory
from xietong.exchange.gateways import gateway_register, gateway_revoke
from xietong.exchange.models import Gateway, OutgoingMessage
from xietong.exchange.outgoing.delivery import outgoing_deliver
from xietong.exchange.outgoing.tasks import outgoing_sweep_task

GATEWAY_PACKAGE = Path(__file__).resolve().parents[2] / "gateway"


def wait_for(condition: Callable[[], Any], timeout: float = 30, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
    return value


class GatewayProcess:
    """`xt-gateway run` with an inbound endpoint on a free port and its own drop folder."""

    def __init__(self, folder: Path, *, institution: str, platform: str, secret: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.secret = folder, secret
        self.config = folder / "gateway.toml"
        self.drop = folder / "to-his"
        self.config.write_text(
            f'[gateway]\ninstitution = "{institution}"\nstate_dir = "state"\n'
            f'[platform]\nurl = "{platform}"\nsecret_env = "XT_GATEWAY_PUSH_TEST_SECRET"\n'
            # One heartbeat as it starts: it announces the address; no more are needed here.
            "timeout_s = 5\nheartbeat_s = 3600\n"
            '[mllp]\nhost = "127.0.0.1"\nport = 0\n'
            "[outbox]\nmin_free_mb = 1\n"
            '[inbound]\nhost = "127.0.0.1"\nport = 0\nurl = "http://127.0.0.1:{port}/push"\n'
            'folder = "to-his"\n',
            encoding="utf-8",
        )
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> GatewayProcess:
        path = os.pathsep.join(p for p in (str(GATEWAY_PACKAGE), os.environ.get("PYTHONPATH")) if p)
        env = {**os.environ, "XT_GATEWAY_PUSH_TEST_SECRET": self.secret, "PYTHONPATH": path}
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "xt_gateway", "run", "--config", str(self.config)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        inbound = self.process.stdout.readline()
        assert inbound.startswith("xt-gateway inbound on port"), inbound
        self.port = int(inbound.rsplit(" ", 1)[1])
        assert self.process.stdout.readline().startswith("xt-gateway ready")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            assert self.process.wait(20) == 0
        self.process = None

    def files(self) -> list[Path]:
        return sorted(self.drop.glob("*.json")) if self.drop.exists() else []

    def status(self, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
        capsys.readouterr()
        assert main(["status", "--config", str(self.config), "--json"]) == 0
        return json.loads(capsys.readouterr().out)


@pytest.fixture
def gateways() -> Iterator[list[GatewayProcess]]:
    started: list[GatewayProcess] = []
    yield started
    for g in started:
        g.stop()


def announced(gateway: Gateway, port: int) -> bool:
    gateway.refresh_from_db()
    return gateway.push_url == f"http://127.0.0.1:{port}/push"


def test_a_signed_opinion_reaches_the_county_gateway_once_and_no_other(
    live_server: Any,
    tmp_path: Path,
    settings: Any,
    gateways: list[GatewayProcess],
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings.XT_PUSH_RETRY_BASE_SECONDS = 1
    settings.XT_PUSH_STUCK_MINUTES = 0  # a message waiting at all counts as stuck here
    admin = make_actor("platform_admin")
    world = make_world()
    other_hospital = cast(Institution, InstitutionFactory(level="county", name="丙县人民医院"))
    registered = {
        name: gateway_register(actor=admin, institution_id=where.pk, name=name)
        for name, where in (("county", world.county), ("other", other_hospital),
                            ("revoked", world.county))
    }  # fmt: skip
    processes = {}
    for name, (gateway, secret) in registered.items():
        process = GatewayProcess(
            tmp_path / name,
            institution=gateway.institution.code,
            platform=live_server.url,
            secret=secret,
        ).start()
        gateways.append(process)
        processes[name] = process
        wait_for(partial(announced, gateway, process.port), what=f"{name} announced")
    county, county_gw = processes["county"], registered["county"][0]
    gateway_revoke(actor=admin, gateway_uuid=registered["revoked"][0].uuid)

    # The county's gateway is down when the opinion is signed: the delivery fails and waits.
    county.stop()
    c = world.to("opinion_signed")
    [message] = OutgoingMessage.objects.all()
    assert message.gateway_id == county_gw.pk
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("waiting", 1)
    assert "no answer" in message.last_error

    # The administrator sees it stuck: a count on the gateways page, the message on the list.
    browser = Client()
    browser.force_login(get_user_model().objects.get(pk=admin.user_id))
    page = browser.get(reverse("administration:gateways")).content.decode()
    assert "1 条发往医院的推送未能送达" in page
    stuck = browser.get(reverse("administration:pushes_stuck")).content.decode()
    assert f"{c.number} v1" in stuck and "已签署的会诊意见" in stuck

    # Back up (on another port, announced in its heartbeat): the retry delivers it.
    county.start()
    wait_for(lambda: announced(county_gw, county.port), what="county announced again")
    message.refresh_from_db()
    wait_for(
        lambda: (
            (outgoing_sweep_task.enqueue(), OutgoingMessage.objects.get().state)[1] == "delivered"
        ),
        what="the retry",
    )
    [written] = wait_for(county.files, what="the drop folder file")
    bundle = json.loads(written.read_bytes())
    assert bundle["identifier"]["value"] == message.message_id
    report = bundle["entry"][1]["resource"]
    assert (report["resourceType"], report["conclusion"]) == ("DiagnosticReport", "不稳定型心绞痛")
    assert "1 条" not in browser.get(reverse("administration:pushes_stuck")).content.decode()

    # The platform sends it again (its answer was lost): answered alike, stored once.
    OutgoingMessage.objects.filter(pk=message.pk).update(
        state="waiting", next_attempt_at=timezone.now()
    )
    assert outgoing_deliver(message_pk=message.pk) == "delivered"
    status = county.status(capsys)
    assert (status["inbound_received"], status["inbound_duplicates"]) == (1, 1)
    assert status["inbound_handed"] == 1
    assert county.files() == [written]

    # Nothing for another hospital's gateway, nor for the county's revoked one.
    for name in ("other", "revoked"):
        assert processes[name].files() == []
        assert processes[name].status(capsys)["inbound_received"] == 0
