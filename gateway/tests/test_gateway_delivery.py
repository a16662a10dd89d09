"""The pusher against a platform that fails: 0 lost, 0 applied twice, each patient in order."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from gateway_fakes import SECRET, FakePlatform
from gateway_messages import INSTITUTION, adt_a01, oru_r01
from xt_gateway import hl7v2
from xt_gateway.mapping import map_message
from xt_gateway.outbox import Outbox, backoff
from xt_gateway.platform import Platform
from xt_gateway.pusher import Pusher


@pytest.fixture
def fake() -> Iterator[FakePlatform]:
    platform = FakePlatform().start()
    yield platform
    platform.stop()


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    box = Outbox(tmp_path / "outbox.sqlite3", min_free_bytes=1)
    yield box
    box.close()


def put(outbox: Outbox, raw: bytes) -> str:
    mapped = map_message(hl7v2.parse(raw, default_encoding="gb18030"), INSTITUTION)
    outbox.put(
        message_id=mapped.message_id,
        patient_key=mapped.patient_key,
        kind="test",
        raw=raw,
        bundle=mapped.bundle,
    )
    return mapped.message_id


def pusher(
    outbox: Outbox, fake: FakePlatform, secret: str = SECRET, timeout: float = 0.3
) -> Pusher:
    return Pusher(
        outbox,
        Platform(fake.url, secret=secret, timeout=timeout),
        batch_size=7,
        backoff_base=0.05,
        backoff_cap=0.2,
        idle_s=0.02,
    )


def wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out: line {condition.__code__.co_firstlineno}"
        time.sleep(0.02)


def test_an_outage_of_errors_timeouts_and_a_dead_platform_loses_nothing(
    outbox: Outbox, fake: FakePlatform
) -> None:
    # Five patients, eight results each, interleaved as a lab system sends them.
    sent: dict[str, list[str]] = {}
    for n in range(8):
        for p in range(5):
            mrn = f"00{p}1000"
            sent.setdefault(mrn, []).append(put(outbox, oru_r01(f"L{p}-{n}", mrn=mrn)))
    total = sum(len(v) for v in sent.values())
    stop = threading.Event()
    # The platform's late answers come 3 s after the gateway's 1 s timeout: wide enough apart
    # that a loaded machine still sees the Bundle applied and its answer lost.
    fake.slow_s = 3.0
    worker = threading.Thread(target=pusher(outbox, fake, timeout=1.0).run, args=(stop,))
    try:
        fake.mode = "error"  # 500 for every Bundle
        worker.start()
        wait_for(lambda: outbox.status().errors_last_hour >= 10)
        fake.mode = "slow"  # applied, but the answer comes after the gateway gave up
        wait_for(
            lambda: len(fake.receipts) > len(fake.applied) >= 1
        )  # applied, answer lost, resent
        fake.stop()  # the platform is gone: connections refused
        time.sleep(0.5)
        assert outbox.status().queue_depth > 0
        fake.mode = "ok"
        fake.start()
        wait_for(lambda: outbox.status().queue_depth == 0)
    finally:
        stop.set()
        worker.join(10)
    lost = sum(1 for ids in sent.values() for i in ids if i not in fake.answers)
    assert (lost, fake.duplicated_count()) == (0, 0)
    assert len(fake.applied) == total
    # Resends happened (the answers that timed out) and were answered from the platform's memory.
    assert len(fake.receipts) > total
    for mrn, ids in sent.items():
        assert [i for i in fake.applied if fake.patient_of[i] == mrn] == ids
    status = outbox.status()
    assert status.sent == total
    assert status.last_success_at is not None
    assert status.errors_last_hour >= 10


def test_a_later_message_of_a_patient_waits_for_the_earlier(
    outbox: Outbox, fake: FakePlatform
) -> None:
    first = put(outbox, adt_a01("A1", mrn="0000001"))
    second = put(outbox, oru_r01("R1", mrn="0000001"))
    other = put(outbox, oru_r01("R2", mrn="0000002"))
    # The first message of patient 1 must wait a while (a 500 earlier): the second never
    # overtakes it, while another patient's result goes ahead.
    outbox.mark_retry(1, error="500", delay=60)
    assert [w.message_id for w in outbox.due(limit=10)] == [other]
    pusher(outbox, fake).cycle()
    assert fake.applied == [other]
    outbox._db.execute("UPDATE message SET next_attempt_at = 0")
    pusher(outbox, fake).cycle()
    pusher(outbox, fake).cycle()
    assert fake.applied == [other, first, second]


def test_a_refused_bundle_is_held_and_does_not_block(outbox: Outbox, fake: FakePlatform) -> None:
    put(outbox, adt_a01("A1"))
    second = put(outbox, oru_r01("R1"))
    original = fake.apply

    def refuse_admissions(bundle: dict) -> tuple[int, bytes]:
        if bundle["identifier"]["value"].endswith(":A1"):
            return 413, b'{"resourceType":"OperationOutcome","issue":[{"diagnostics":"5 MB"}]}'
        return original(bundle)

    fake.apply = refuse_admissions  # type: ignore[method-assign]
    p = pusher(outbox, fake)
    p.cycle()
    p.cycle()
    assert fake.applied == [second]
    status = outbox.status()
    assert (status.queue_depth, status.refused, status.sent) == (0, 1, 1)
    assert "413" in (status.last_error or "")


def test_refused_entries_are_counted_as_errors(outbox: Outbox, fake: FakePlatform) -> None:
    put(outbox, oru_r01())
    fake.reject_entries = {"Observation"}
    pusher(outbox, fake).cycle()
    status = outbox.status()
    assert (status.queue_depth, status.sent, status.errors_last_hour) == (0, 1, 3)
    assert "值不在值集中" in (status.last_error or "")


def test_a_revoked_gateway_keeps_its_queue(outbox: Outbox, fake: FakePlatform) -> None:
    put(outbox, oru_r01())
    delay = pusher(outbox, fake, secret="revoked").cycle()
    assert delay > 0
    status = outbox.status()
    assert (status.queue_depth, status.sent) == (1, 0)
    assert "凭据" in (status.last_error or "")
    assert fake.applied == []


def test_backoff_grows_to_its_cap_with_jitter() -> None:
    waits = [backoff(n, base=1, cap=300) for n in range(1, 20) for _ in range(20)]
    assert max(waits) <= 300
    assert min(waits) >= 0.5
    assert len({round(w, 3) for w in waits}) > 100  # jittered, not in lockstep
    late = [backoff(15, base=1, cap=300) for _ in range(200)]
    assert max(late) > 200


def test_a_refused_message_is_listed_and_requeued_by_the_operator(
    tmp_path: Path, outbox: Outbox, fake: FakePlatform, capsys: pytest.CaptureFixture[str]
) -> None:
    from xt_gateway.cli import main

    message_id = put(outbox, oru_r01("R9"))
    outbox.mark_refused(1, error="平台拒收 / refused 413", response="")
    config = tmp_path / "gateway.toml"
    config.write_text(
        f'[gateway]\ninstitution = "{INSTITUTION}"\nstate_dir = "."\n'
        f'[platform]\nurl = "{fake.url}"\n',
        encoding="utf-8",
    )
    assert main(["status", "--config", str(config)]) == 0
    assert f"被拒收 refused {message_id}: 平台拒收 / refused 413" in capsys.readouterr().out
    assert main(["requeue", "--config", str(config), "--message-id", "nope"]) == 1
    assert main(["requeue", "--config", str(config), "--all-refused"]) == 0
    assert f"requeued: {message_id}" in capsys.readouterr().out
    pusher(outbox, fake).cycle()
    assert fake.applied == [message_id]
    assert (outbox.status().refused, outbox.status().sent) == (0, 1)
