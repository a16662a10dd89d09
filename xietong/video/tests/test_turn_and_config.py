"""TURN passwords in coturn's shared-secret scheme, and the Janus configuration we ship."""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

import pytest
from django.test import override_settings

from xietong.video.credentials import ice_servers_for
from xietong.video.janus_config import JanusLayout, janus_config_write


@override_settings(
    XT_TURN_URLS="turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349",
    XT_TURN_SECRET="north-wind",
    XT_TURN_TTL_SECONDS=3600,
)
def test_turn_credentials_are_what_coturn_computes_from_the_shared_secret() -> None:
    [server] = ice_servers_for(user_id=42, now=1_800_000_000)
    assert server.urls == [
        "turn:turn.example.org:3478?transport=udp",
        "turns:turn.example.org:5349",
    ]
    assert server.username == "1800003600:42"
    expected = hmac.new(b"north-wind", b"1800003600:42", hashlib.sha1).digest()
    assert base64.b64decode(server.credential) == expected


def test_no_turn_server_is_offered_without_a_secret() -> None:
    with override_settings(XT_TURN_URLS="turn:t.example.org", XT_TURN_SECRET=""):
        assert ice_servers_for(user_id=1) == []


def _config(tmp_path: Path) -> dict[str, str]:
    with override_settings(XT_JANUS_ADMIN_KEY="k3y", XT_JANUS_RECORDINGS_DIR=str(tmp_path / "r")):
        folder = janus_config_write(JanusLayout(tmp_path / "conf", http_port=18188))
    return {p.name: p.read_text() for p in folder.glob("*.jcfg")}


def test_janus_listens_on_loopback_has_no_admin_api_and_no_demo_rooms(tmp_path: Path) -> None:
    files = _config(tmp_path)
    assert set(files) == {
        "janus.jcfg",
        "janus.transport.http.jcfg",
        "janus.plugin.videoroom.jcfg",
    }
    http = files["janus.transport.http.jcfg"]
    assert 'ip = "127.0.0.1"' in http and "port = 18188" in http
    assert "admin_http = false" in http and "admin_https = false" in http
    assert "admin_secret" not in files["janus.jcfg"].replace("# No admin_secret", "")
    videoroom = files["janus.plugin.videoroom.jcfg"]
    assert 'admin_key = "k3y"' in videoroom
    assert "room-" not in videoroom
    assert (tmp_path / "conf").stat().st_mode & 0o077 == 0


def test_the_configuration_is_not_written_without_an_admin_key(tmp_path: Path) -> None:
    with override_settings(XT_JANUS_ADMIN_KEY=""), pytest.raises(ValueError):
        janus_config_write(JanusLayout(tmp_path / "conf"))
