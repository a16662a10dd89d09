"""The coturn configuration we ship: shared-secret credentials only, no relaying inward."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xietong.video.turn_config import turn_config_write


def test_the_config_carries_the_secret_owner_only_and_refuses_private_peers(
    tmp_path: Path, settings: Any
) -> None:
    settings.XT_TURN_SECRET = "s3cret-for-turn"
    target = turn_config_write(folder=tmp_path / "turn", port=3479)
    text = target.read_text()
    assert "static-auth-secret=s3cret-for-turn" in text
    assert "use-auth-secret" in text and "listening-port=3479" in text
    assert "denied-peer-ip=10.0.0.0-10.255.255.255" in text
    assert "denied-peer-ip=127.0.0.0-127.255.255.255" in text
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700


def test_the_media_server_may_be_allowed_through(
    tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.XT_TURN_SECRET = "x"
    monkeypatch.setenv("XT_TURN_ALLOWED_PEER", "10.20.0.5")
    text = turn_config_write(folder=tmp_path / "turn").read_text()
    assert "allowed-peer-ip=10.20.0.5" in text


def test_without_a_secret_nothing_is_written(tmp_path: Path, settings: Any) -> None:
    settings.XT_TURN_SECRET = ""
    with pytest.raises(CommandError, match="XT_TURN_SECRET"):
        call_command("turn_config", "--folder", str(tmp_path / "turn"))
    assert not (tmp_path / "turn" / "turnserver.conf").exists()
