"""The demo's hospital gateway: registered for county A's hospital (where doctor_county
works), its secret written only to the demo's var folder, and its configuration beside it.

`./xt demo` runs it (`manage demo_gateway`) with the simulated HIS (his.py) feeding it, so the
connection page is live and the county hospital's patients' pushed records grow."""

from __future__ import annotations

import contextlib
import os
import re
import select
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from xietong.accounts.actors import actor_for_membership
from xietong.accounts.models import Membership, Role
from xietong.directory.models import Institution
from xietong.exchange.gateways import (
    gateway_for_secret,
    gateway_register,
    gateway_secret_renew,
)
from xietong.exchange.models import Gateway

DEMO_GATEWAY_NAME = "县医院 HIS 前置机（演示）"


def demo_gateway_folder() -> Path:
    return Path(settings.VAR_DIR) / "gateway"


def demo_gateway_hospital() -> Institution | None:
    """County A's hospital: the demo county doctor's institution."""
    membership = (
        Membership.objects.filter(user__username="doctor_county").select_related("institution")
    ).first()
    return membership.institution if membership else None


def _admin() -> Membership | None:
    memberships = Membership.objects.filter(user__username="admin").select_related(
        "user", "institution__region"
    )
    return next((m for m in memberships if Role.PLATFORM_ADMIN in m.roles), None)


def demo_gateway_register(*, folder: Path | None = None) -> Gateway | None:
    """The demo gateway, registered once by the platform administrator. Its secret lives in
    `folder/secret` (owner-only) and nowhere else; when that file is gone or no longer names
    an active gateway, the old demo gateway is revoked and a new one registered. None when
    the demo province is not seeded."""
    folder = folder or demo_gateway_folder()
    secret_file = folder / "secret"
    if secret_file.exists():
        gateway = gateway_for_secret(secret_file.read_text(encoding="utf-8").strip())
        if gateway is not None:
            return gateway
    hospital, admin = demo_gateway_hospital(), _admin()
    if hospital is None or admin is None:
        return None
    actor = actor_for_membership(admin)
    # The seed registered it (and sent the week's records through it) without keeping its
    # secret; a lost secret is lost alike: the gateway gets a new one, as an administrator
    # does for a hospital whose front-end machine was reinstalled.
    known = Gateway.objects.filter(institution=hospital, name=DEMO_GATEWAY_NAME, active=True)
    found = known.order_by("-id").first()
    if found is not None:
        gateway, secret = gateway_secret_renew(actor=actor, gateway_uuid=found.uuid)
    else:
        gateway, secret = gateway_register(
            actor=actor, institution_id=hospital.pk, name=DEMO_GATEWAY_NAME
        )
    folder.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secret + "\n")
    return gateway


def demo_gateway_config(
    *, folder: Path, institution_code: str, platform_url: str, mllp_port: int
) -> Path:
    """The gateway's TOML, as a hospital's IT would write it (gateway/README.md), tuned for a
    demo: a heartbeat every 10 s, and retries that give up waiting after 10 s, since the web
    server starts a moment after the gateway."""
    config = folder / "gateway.toml"
    config.write_text(
        f"""# Written by `./xt demo` (xietong/demo/gateway.py) at each start.
[gateway]
institution = "{institution_code}"
state_dir = "state"

[platform]
url = "{platform_url}"
secret_file = "secret"
timeout_s = 10
heartbeat_s = 10
backoff_base_s = 1
backoff_cap_s = 10

[mllp]
host = "127.0.0.1"
port = {mllp_port}
encoding = "gb18030"

[outbox]
min_free_mb = 16
""",
        encoding="utf-8",
    )
    return config


@dataclass(frozen=True)
class Started:
    process: subprocess.Popen[str]
    port: int | None  # the MLLP port it listens on; None: it did not start
    said: str  # its last word in the log when it did not


def demo_gateway_start(*, config: Path, log: Path, timeout: float = 30) -> Started:
    """`xt-gateway run` in its own process (its log appended to `log`), once it says it is
    listening; or, when it ends first (its port taken), ended, with the last line it wrote."""
    with log.open("ab") as errors:
        process = subprocess.Popen(  # noqa: S603 - our own gateway, our own configuration
            [sys.executable, "-m", "xt_gateway", "run", "--config", str(config)],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
    assert process.stdout is not None
    readable, _w, _x = select.select([process.stdout], [], [], timeout)
    line = process.stdout.readline() if readable else ""
    if line.startswith("xt-gateway ready on port"):
        return Started(process=process, port=int(line.rsplit(" ", 1)[1]), said="")
    demo_gateway_stop(process)
    lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    # The exception that ended it (its threads may have logged after the traceback).
    ending = [line for line in lines if re.match(r"^[A-Za-z.]*(Error|Exception)\b", line)]
    said = ending[-1] if ending else lines[-1] if lines else "no log"
    return Started(process=process, port=None, said=said)


def demo_gateway_stop(process: subprocess.Popen[str]) -> int:
    """TERM, which the gateway answers by finishing what it does; KILL after 8 s (./xt gives
    its children 10)."""
    with contextlib.suppress(OSError):
        process.terminate()
    try:
        return process.wait(timeout=8)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()
