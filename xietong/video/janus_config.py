"""Renders config/janus/*.jcfg into a folder Janus is started with (--configs-folder).

Janus's configuration files cannot read the environment, so the admin key and ports are
filled in here from our settings and the result is written with owner-only permissions."""

from __future__ import annotations

import os
import string
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from . import conf

TEMPLATES = Path(settings.BASE_DIR) / "config" / "janus"
LIB_FOLDERS = (
    "/usr/lib/x86_64-linux-gnu/janus",
    "/usr/lib/aarch64-linux-gnu/janus",
    "/usr/lib/janus",
)


@dataclass(frozen=True)
class JanusLayout:
    folder: Path
    http_port: int = 8088
    rtp_port_range: str = "20000-40000"
    debug_level: int = 4
    # Interfaces Janus may offer to peers (libnice's enforce list); empty: all but ignored.
    interfaces: str = ""


def lib_folder() -> str:
    for candidate in LIB_FOLDERS:
        if Path(candidate, "plugins").is_dir():
            return candidate
    return LIB_FOLDERS[0]


def janus_config_write(layout: JanusLayout) -> Path:
    admin_key = conf.janus_admin_key()
    if not admin_key:
        raise ValueError("XT_JANUS_ADMIN_KEY is empty: rooms could be created by anyone")
    values = {
        "configs_folder": str(layout.folder),
        "lib_folder": lib_folder(),
        "debug_level": str(layout.debug_level),
        "rtp_port_range": layout.rtp_port_range,
        "http_port": str(layout.http_port),
        "admin_key": admin_key.replace('"', ""),
        "nat_extra": f'\tice_enforce_list = "{layout.interfaces}"' if layout.interfaces else "",
    }
    layout.folder.mkdir(parents=True, exist_ok=True)
    os.chmod(layout.folder, 0o700)
    for template in sorted(TEMPLATES.glob("*.jcfg")):
        target = layout.folder / template.name
        target.write_text(string.Template(template.read_text()).substitute(values))
        os.chmod(target, 0o600)
    conf.recordings_dir().mkdir(parents=True, exist_ok=True)
    return layout.folder
