"""The platform's pushes into the gateway: signed, stored once on disk, handed to the HIS
as one whole JSON file each."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from threading import Thread
from typing import Any

import pytest
from xt_gateway.cli import main
from xt_gateway.inbound import PushReceiver, hand_over, make_server, signature
from xt_gateway.inbox import Inbox

SECRET = "xg_inbound-test-secret"


def bundle(message_id: str, kind: str = "opinion") -> bytes:
    return json.dumps(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "identifier": {"system": "urn:xietong:platform-message", "value": message_id},
            "meta": {"tag": [{"system": "urn:xietong:push-kind", "code": kind}]},
            "entry": [{"resource": {"resourceType": "Patient", "name": [{"text": "王小明"}]}}],
        },
        ensure_ascii=False,
    ).encode()


class Endpoint:
    def __init__(self, folder: Path) -> None:
        self.inbox = Inbox(folder / "outbox.sqlite3", min_free_bytes=1)
        self.receiver = PushReceiver(self.inbox, secret=SECRET)
        self.server = make_server(self.receiver, host="127.0.0.1", port=0)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/push"
        Thread(target=self.server.serve_forever, daemon=True).start()

    def post(
        self, body: bytes, message_id: str, *, secret: str = SECRET, age_s: int = 0
    ) -> tuple[int, dict[str, Any]]:
        import hashlib

        stamp = str(int(time.time()) - age_s)
        key = hashlib.sha256(secret.encode()).hexdigest()
        headers = {
            "Content-Type": "application/fhir+json",
            "Idempotency-Key": message_id,
            "X-Xietong-Timestamp": stamp,
            "X-Xietong-Signature": signature(
                key=key, timestamp=stamp, message_id=message_id, body=body
            ),
        }
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[Endpoint]:
    e = Endpoint(tmp_path)
    yield e
    e.server.shutdown()
    e.inbox.close()


def test_a_push_is_stored_once_and_a_resend_is_answered_alike(
    endpoint: Endpoint, tmp_path: Path
) -> None:
    body = bundle("opinion:1@gw")
    first = endpoint.post(body, "opinion:1@gw")
    again = endpoint.post(body, "opinion:1@gw")
    assert first == again == (200, {"message_id": "opinion:1@gw", "stored": True})
    status = endpoint.inbox.status()
    assert (status.received, status.duplicates, status.waiting_handover) == (1, 1, 1)
    folder = tmp_path / "to-his"
    assert hand_over(endpoint.inbox, folder) == 1
    [written] = folder.iterdir()
    assert written.name.endswith(".json") and "-opinion-" in written.name
    assert written.read_bytes() == body  # the Bundle as the platform sent it
    assert hand_over(endpoint.inbox, folder) == 0
    assert endpoint.inbox.status().handed == 1


def test_a_handover_repeated_after_a_crash_writes_the_same_file(
    endpoint: Endpoint, tmp_path: Path
) -> None:
    endpoint.post(bundle("m-crash"), "m-crash")
    folder = tmp_path / "to-his"
    hand_over(endpoint.inbox, folder)
    # The file was renamed into place, then the process died before recording it.
    endpoint.inbox._db.execute("UPDATE inbound SET handed_at = NULL")
    hand_over(endpoint.inbox, folder)
    assert [p.name.startswith(".") for p in folder.iterdir()] == [False]


@pytest.mark.parametrize(
    ("secret", "age_s", "why"),
    [("xg_another-gateways-secret", 0, "签名不符"), (SECRET, 3600, "签名已过期")],
)
def test_a_push_not_signed_with_this_gateways_secret_is_refused(
    endpoint: Endpoint, secret: str, age_s: int, why: str
) -> None:
    status, answer = endpoint.post(bundle("m1"), "m1", secret=secret, age_s=age_s)
    assert status == 401
    assert why in answer["error"]
    assert endpoint.inbox.status().received == 0


def test_what_is_not_a_push_bundle_is_refused(endpoint: Endpoint) -> None:
    assert endpoint.post(b"not json", "m1")[0] == 400
    assert endpoint.post(b'{"resourceType": "Patient"}', "m1")[0] == 400
    status, answer = endpoint.post(bundle("other-id"), "m1")
    assert status == 400 and "Idempotency-Key" in answer["error"]
    assert endpoint.inbox.status().received == 0


def test_status_shows_the_pushes_received(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text(
        '[gateway]\ninstitution = "H1"\nstate_dir = "state"\n'
        '[platform]\nurl = "http://127.0.0.1:9"\nsecret_env = "UNSET_FOR_STATUS"\n'
        '[inbound]\nurl = "http://127.0.0.1:{port}/push"\nfolder = "to-his"\n',
        encoding="utf-8",
    )
    box = Inbox(tmp_path / "state" / "outbox.sqlite3", min_free_bytes=1)
    box.put(message_id="a", kind="opinion", body=bundle("a"))
    box.put(message_id="a", kind="opinion", body=bundle("a"))
    box.put(message_id="b", kind="down_referral", body=bundle("b", "down_referral"))
    box.close()
    assert main(["status", "--config", str(config), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["inbound_received"] == 2
    assert data["inbound_duplicates"] == 1
    assert data["inbound_waiting_handover"] == 2
    assert main(["status", "--config", str(config)]) == 0
    assert "平台推送 pushes received: 2" in capsys.readouterr().out


def test_a_push_is_refused_before_the_disk_is_full(endpoint: Endpoint) -> None:
    endpoint.inbox.min_free_bytes = 2**62  # more than any disk has free
    status, answer = endpoint.post(bundle("m-full"), "m-full")
    assert status == 507 and "磁盘空间不足" in answer["error"]
    assert endpoint.inbox.status().received == 0  # the platform keeps it and retries
