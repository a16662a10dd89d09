"""Renders config/coturn/turnserver.conf for `turnserver -c`, with the shared secret that
Xietong mints TURN credentials from (coturn's file cannot read the environment)."""

from __future__ import annotations

import os
import string
from pathlib import Path

from django.conf import settings

from . import conf

TEMPLATE = Path(settings.BASE_DIR) / "config" / "coturn" / "turnserver.conf"


def turn_config_write(*, folder: Path, port: int = 3478, realm: str = "xietong") -> Path:
    secret = conf.turn_secret()
    if not secret:
        raise ValueError("XT_TURN_SECRET is empty: Xietong could not mint TURN credentials")
    allowed = os.environ.get("XT_TURN_ALLOWED_PEER", "").strip()
    values = {
        "port": str(port),
        "realm": realm,
        "secret": secret.replace("\n", ""),
        "allowed_peer": f"allowed-peer-ip={allowed}" if allowed else "",
    }
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    target = folder / "turnserver.conf"
    target.write_text(string.Template(TEMPLATE.read_text()).substitute(values))
    os.chmod(target, 0o600)
    return target
