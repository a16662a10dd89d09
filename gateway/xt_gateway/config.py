"""The gateway's configuration: one small TOML file (README.md shows a full one)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    pass


PUSH_KINDS = ("down_referral", "opinion", "imaging_report")


@dataclass(frozen=True)
class InboundConfig:
    """The platform's pushes to this hospital (README: "Pushes from the platform")."""

    url: str  # the address the platform is told to push to
    folder: Path  # the drop folder the HIS reads, one JSON file per message
    host: str = "0.0.0.0"  # noqa: S104 - the platform connects from another machine
    port: int = 8480
    path: str = "/push"
    kinds: tuple[str, ...] = PUSH_KINDS
    max_skew_s: float = 300.0
    cert_file: str | None = None
    key_file: str | None = None
    # Also send reports to the HIS as HL7 v2 ORU^R01 over MLLP (None: the folder only).
    his_host: str | None = None
    his_port: int = 2576


@dataclass(frozen=True)
class FhirConfig:
    """The FHIR pass-through for hospital systems that speak FHIR R4 (README: "FHIR")."""

    credential: str  # what the hospital's systems send as `Authorization: Bearer …`
    host: str = "0.0.0.0"  # noqa: S104 - the hospital's systems connect from other machines
    port: int = 8482
    base: str = "/fhir/R4"
    cert_file: str | None = None
    key_file: str | None = None


@dataclass(frozen=True)
class Config:
    institution: str
    state_dir: Path
    platform_url: str
    secret: str
    mllp_host: str = "0.0.0.0"  # noqa: S104 - the HIS connects from another machine
    mllp_port: int = 2575
    encoding: str = "gb18030"
    timeout_s: float = 30.0
    batch_size: int = 50
    heartbeat_s: float = 60.0
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 300.0
    min_free_mb: int = 256
    ca_file: str | None = None
    drop_folder: Path | None = None  # CSV exports; None: no drop folder
    drop_encoding: str | None = None  # None: UTF-8 (BOM or not), else GB18030
    inbound: InboundConfig | None = None  # None: takes no pushes from the platform
    fhir: FhirConfig | None = None  # None: no FHIR pass-through

    @property
    def outbox_path(self) -> Path:
        return self.state_dir / "outbox.sqlite3"


def load(path: Path, *, need_secret: bool = True) -> Config:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    gw, platform, mllp = data.get("gateway", {}), data.get("platform", {}), data.get("mllp", {})
    outbox, drop = data.get("outbox", {}), data.get("drop", {})
    inbound = _inbound(data.get("inbound"), path) if data.get("inbound") else None
    fhir = _fhir(data["fhir"], path, need_secret) if data.get("fhir") else None
    for section, key in (("gateway", "institution"), ("platform", "url")):
        if not data.get(section, {}).get(key):
            raise ConfigError(f"{path}: [{section}] {key} is required")
    secret = ""
    if need_secret:
        secret = _secret(platform, path)
    base = path.parent
    state = Path(gw.get("state_dir", "state"))
    return Config(
        institution=str(gw["institution"]),
        state_dir=_path(base, str(state)),
        platform_url=str(platform["url"]),
        secret=secret,
        mllp_host=str(mllp.get("host", Config.mllp_host)),
        mllp_port=int(mllp.get("port", Config.mllp_port)),
        encoding=str(mllp.get("encoding", Config.encoding)),
        timeout_s=float(platform.get("timeout_s", Config.timeout_s)),
        batch_size=int(platform.get("batch_size", Config.batch_size)),
        heartbeat_s=float(platform.get("heartbeat_s", Config.heartbeat_s)),
        backoff_base_s=float(platform.get("backoff_base_s", Config.backoff_base_s)),
        backoff_cap_s=float(platform.get("backoff_cap_s", Config.backoff_cap_s)),
        min_free_mb=int(outbox.get("min_free_mb", Config.min_free_mb)),
        ca_file=platform.get("ca_file"),
        drop_folder=_path(base, drop["folder"]) if drop.get("folder") else None,
        drop_encoding=drop.get("encoding"),
        inbound=inbound,
        fhir=fhir,
    )


def _fhir(section: Any, path: Path, need_secret: bool) -> FhirConfig:
    credential = ""
    if need_secret:
        # Its own credential, never the platform's secret: the hospital's IT hands it to
        # its systems on the LAN.
        credential = _secret(
            {"secret_env": section.get("credential_env"),
             "secret_file": section.get("credential_file")},
            path,
            section="fhir",
        )  # fmt: skip
    return FhirConfig(
        credential=credential,
        host=str(section.get("host", FhirConfig.host)),
        port=int(section.get("port", FhirConfig.port)),
        base=str(section.get("base", FhirConfig.base)),
        cert_file=section.get("cert_file"),
        key_file=section.get("key_file"),
    )


def _inbound(section: Any, path: Path) -> InboundConfig:
    for key in ("url", "folder"):
        if not section.get(key):
            raise ConfigError(f"{path}: [inbound] {key} is required")
    kinds = tuple(section.get("kinds") or PUSH_KINDS)
    unknown = [k for k in kinds if k not in PUSH_KINDS]
    if unknown:
        raise ConfigError(f"{path}: [inbound] kinds: unknown {unknown}; known {list(PUSH_KINDS)}")
    base = path.parent
    return InboundConfig(
        url=str(section["url"]),
        folder=_path(base, str(section["folder"])),
        host=str(section.get("host", InboundConfig.host)),
        port=int(section.get("port", InboundConfig.port)),
        path=str(section.get("path", InboundConfig.path)),
        kinds=kinds,
        max_skew_s=float(section.get("max_skew_s", InboundConfig.max_skew_s)),
        cert_file=section.get("cert_file"),
        key_file=section.get("key_file"),
        his_host=section.get("his_host"),
        his_port=int(section.get("his_port", InboundConfig.his_port)),
    )


def _path(base: Path, value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else base / path


def _secret(platform: dict, path: Path, *, section: str = "platform") -> str:
    # The secret never sits in the config file itself: an environment variable or a file
    # only the gateway's user can read.
    if platform.get("secret_env"):
        value = os.environ.get(platform["secret_env"], "")
        if not value:
            raise ConfigError(f"{path}: environment variable {platform['secret_env']} is empty")
        return value.strip()
    if platform.get("secret_file"):
        file = Path(platform["secret_file"])
        file = file if file.is_absolute() else path.parent / file
        try:
            return file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{path}: secret_file: {exc}") from exc
    names = (
        "secret_env or secret_file"
        if section == "platform"
        else "credential_env or credential_file"
    )
    raise ConfigError(f"{path}: [{section}] needs {names}")
