"""The MLLP listener: AA only once the message is in the outbox; AE/AR naming the fault."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from gateway_fakes import ack_fields, mllp_send
from gateway_messages import INSTITUTION, adt_a01, oru_r01
from xt_gateway.mllp import Listener
from xt_gateway.outbox import Outbox


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    box = Outbox(tmp_path / "outbox.sqlite3", min_free_bytes=1)
    yield box
    box.close()


@pytest.fixture
def port(outbox: Outbox) -> Iterator[int]:
    loop = asyncio.new_event_loop()
    listener = Listener(outbox=outbox, institution=INSTITUTION, default_encoding="gb18030")
    server = loop.run_until_complete(listener.serve("127.0.0.1", 0))
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield server.sockets[0].getsockname()[1]

    async def shutdown() -> None:
        server.close()
        await server.wait_closed()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run_coroutine_threadsafe(shutdown(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def rows(outbox: Outbox) -> list[tuple]:
    return outbox._db.execute("SELECT message_id, patient_key, kind, state FROM message").fetchall()


def test_accepted_message_is_in_the_outbox_before_its_ack(outbox: Outbox, port: int) -> None:
    ack = ack_fields(mllp_send(port, adt_a01()))
    assert ack["MSA"][1:3] == ["AA", "ADT0001"]
    assert ack["MSH"][8] == "ACK^A01^ACK"
    assert ack["MSH"][17] == "GB18030"  # answered in the charset the HIS spoke
    assert rows(outbox) == [("H330100001:HIS:ADT0001", "H330100001|0012345", "ADT^A01", "waiting")]
    stored = outbox.due(limit=10)[0]
    assert json.loads(stored.bundle)["entry"][0]["resource"]["name"][0]["text"] == "王小明"
    # The store is durable as configured: WAL journal, fsync on every commit.
    assert outbox._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert outbox._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_a_resent_message_is_acknowledged_and_kept_once(outbox: Outbox, port: int) -> None:
    for _ in range(2):
        assert ack_fields(mllp_send(port, oru_r01()))["MSA"][1] == "AA"
    assert len(rows(outbox)) == 1
    # A HIS that reuses a control id for another message: both are kept, apart.
    assert ack_fields(mllp_send(port, oru_r01(potassium="4.1")))["MSA"][1] == "AA"
    ids = [r[0] for r in rows(outbox)]
    assert len(ids) == 2 and ids[1].startswith("H330100001:LIS:LAB0001:")


def test_malformed_message_gets_ae_naming_segment_and_field(outbox: Outbox, port: int) -> None:
    ack = ack_fields(mllp_send(port, adt_a01().replace(b"|M|||", b"|X|||")))
    assert ack["MSA"][1:3] == ["AE", "ADT0001"]
    assert ack["ERR"][2] == "PID^1^8"
    assert ack["ERR"][3] == "103"
    assert "性别代码" in ack["ERR"][8]
    assert rows(outbox) == []


def test_unsupported_type_is_rejected(outbox: Outbox, port: int) -> None:
    ack = ack_fields(mllp_send(port, adt_a01().replace(b"ADT^A01^ADT_A01", b"SIU^S12")))
    assert ack["MSA"][1] == "AR"
    assert ack["ERR"][2] == "MSH^1^9"
    assert rows(outbox) == []


def test_garbage_gets_an_answer_not_a_hang(outbox: Outbox, port: int) -> None:
    ack = ack_fields(mllp_send(port, b"hello"), "utf-8")
    assert ack["MSA"][1] == "AE"
    assert rows(outbox) == []


def test_disk_below_threshold_refuses_before_acknowledging(outbox: Outbox, port: int) -> None:
    outbox.min_free_bytes = 2**62  # more than any disk has
    ack = ack_fields(mllp_send(port, adt_a01()))
    assert ack["MSA"][1] == "AR"
    assert ack["ERR"][3] == "207"
    assert "磁盘空间不足" in ack["ERR"][8]
    assert rows(outbox) == []
    assert outbox.status().errors_last_hour == 1


def test_several_messages_on_one_connection(outbox: Outbox, port: int) -> None:
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"".join(b"\x0b" + oru_r01(f"L{i}") + b"\x1c\x0d" for i in range(5)))
        data = b""
        while data.count(b"\x1c\x0d") < 5:
            data += s.recv(65536)
    assert data.count(b"|AA|") == 5
    assert [r[0] for r in rows(outbox)] == [f"H330100001:LIS:L{i}" for i in range(5)]
