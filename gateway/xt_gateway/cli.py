"""`xt-gateway run --config FILE` and `xt-gateway status --config FILE`."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from . import __version__
from .config import Config, ConfigError, load
from .dropfolder import DropFolder
from .fhirserver import PassThrough, make_fhir_server
from .his import his_loop
from .inbound import PushReceiver, handover_loop, make_server
from .inbox import Inbox
from .mllp import Listener
from .outbox import Outbox
from .platform import Platform, Unreachable
from .pusher import Pusher

log = logging.getLogger("xt_gateway")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="xt-gateway", description="协同 前置机 / Xietong gateway")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("run", "status", "requeue"):
        p = sub.add_parser(name)
        p.add_argument("--config", required=True, type=Path)
    sub.choices["status"].add_argument("--json", action="store_true")
    # After the platform refused a Bundle (e.g. 413) and the cause is fixed: send it again.
    requeue_args = sub.choices["requeue"].add_mutually_exclusive_group(required=True)
    requeue_args.add_argument("--message-id")
    requeue_args.add_argument("--all-refused", action="store_true")
    args = parser.parse_args(argv)
    try:
        config = load(args.config, need_secret=args.command == "run")
    except ConfigError as exc:
        print(f"xt-gateway: {exc}", file=sys.stderr)
        return 2
    if args.command == "status":
        return status(config, as_json=args.json)
    if args.command == "requeue":
        return requeue(config, message_id=args.message_id)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return run(config)


def status(config: Config, *, as_json: bool) -> int:
    outbox = Outbox(config.outbox_path)
    try:
        s = outbox.status()
        refused = outbox.refused()
    finally:
        outbox.close()
    data = {**s.as_json(), "refused": s.refused, "sent": s.sent, "last_error": s.last_error}
    inbox = Inbox(config.outbox_path)
    try:
        his = config.inbound is not None and config.inbound.his_host is not None
        data.update(inbox.status(his=his).as_json())
    finally:
        inbox.close()
    if as_json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        print(f"待发送 queue depth:       {s.queue_depth}")
        print(f"最早等待 oldest waiting:  {_seconds(s.oldest_waiting_s)}")
        print(f"最近成功 last success:    {data['last_success_at'] or '—'}")
        print(f"一小时内错误 errors/hour: {s.errors_last_hour}")
        print(f"已发送 sent:              {s.sent}")
        print(f"被拒收 refused:           {s.refused}")
        print(f"最近错误 last error:      {s.last_error or '—'}")
        for message_id, error in refused[:20]:
            print(f"  被拒收 refused {message_id}: {error[:120]}")
        print(f"平台推送 pushes received: {data['inbound_received']}")
        print(f"  重复 duplicates:        {data['inbound_duplicates']}")
        print(f"  已交 HIS handed over:   {data['inbound_handed']}")
        print(f"  待交 waiting handover:  {data['inbound_waiting_handover']}")
        if config.inbound is not None and config.inbound.his_host:
            print(f"  待发 HIS (HL7 v2):      {data['inbound_his_waiting']}")
    return 0


def requeue(config: Config, *, message_id: str | None) -> int:
    outbox = Outbox(config.outbox_path)
    try:
        ids = outbox.requeue_refused(message_id)
    finally:
        outbox.close()
    for i in ids:
        print(f"重新排队 requeued: {i}")
    if not ids:
        print("没有被拒收的消息 / no refused message" + (f" {message_id}" if message_id else ""))
        return 1
    return 0


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} s"


def heartbeat_loop(
    outbox: Outbox, config: Config, stop: threading.Event, inbound_url: str | None = None
) -> None:
    platform = Platform(
        config.platform_url, secret=config.secret, timeout=config.timeout_s, ca_file=config.ca_file
    )
    while not stop.is_set():
        payload = {**outbox.status().as_json(), "version": __version__}
        if inbound_url is not None and config.inbound is not None:
            # Where the platform pushes to, and what this hospital wants (ADR 27).
            payload["inbound_url"] = inbound_url
            payload["inbound_kinds"] = list(config.inbound.kinds)
        try:
            answer = platform.heartbeat(payload)
            if answer.status != 200:
                outbox.record_error(f"心跳被拒 / heartbeat answered {answer.status}")
        except Unreachable as exc:
            log.warning("heartbeat: %s", exc)
        outbox.prune()
        stop.wait(config.heartbeat_s)
    platform.close()


def run(config: Config) -> int:
    outbox = Outbox(config.outbox_path, min_free_bytes=config.min_free_mb * 2**20)
    platform = Platform(
        config.platform_url, secret=config.secret, timeout=config.timeout_s, ca_file=config.ca_file
    )
    pusher = Pusher(
        Outbox(config.outbox_path),  # its own connection: pushing never waits on accepting
        platform,
        batch_size=config.batch_size,
        backoff_base=config.backoff_base_s,
        backoff_cap=config.backoff_cap_s,
    )
    stop = threading.Event()
    inbound_url: str | None = None
    inbound_threads: list[threading.Thread] = []
    inbound_server: Any = None
    if config.inbound is not None:
        inbound_url, inbound_threads, inbound_server = _inbound(config, stop)
    fhir_server: Any = None
    if config.fhir is not None:
        fhir_server = _fhir(config)
        inbound_threads.append(
            threading.Thread(target=fhir_server.serve_forever, name="fhir", daemon=True)
        )
    threads = [
        *inbound_threads,
        threading.Thread(target=pusher.run, args=(stop,), name="pusher", daemon=True),
        threading.Thread(
            target=heartbeat_loop,
            args=(Outbox(config.outbox_path), config, stop, inbound_url),
            name="heartbeat",
            daemon=True,
        ),
    ]
    if config.drop_folder is not None:
        drop = DropFolder(
            config.drop_folder,
            outbox=outbox,
            institution=config.institution,
            encoding=config.drop_encoding,
        )
        threads.append(
            threading.Thread(target=drop.run, args=(stop, 2.0), name="drop", daemon=True)
        )
    for t in threads:
        t.start()

    async def serve() -> None:
        listener = Listener(
            outbox=outbox, institution=config.institution, default_encoding=config.encoding
        )
        server = await listener.serve(config.mllp_host, config.mllp_port)
        done = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, done.set)
        log.info(
            "listening for HL7 v2 (MLLP) on %s:%s at %s",
            config.mllp_host,
            config.mllp_port,
            dt.datetime.now(dt.UTC).isoformat(),
        )
        print(f"xt-gateway ready on port {server.sockets[0].getsockname()[1]}", flush=True)
        await done.wait()
        server.close()
        await server.wait_closed()

    asyncio.run(serve())
    stop.set()
    for server in (inbound_server, fhir_server):
        if server is not None:
            server.shutdown()
    for t in threads:
        t.join(timeout=config.timeout_s + 5)
    outbox.close()
    return 0


def _fhir(config: Config) -> Any:
    """The FHIR pass-through, keeping into the outbox like the MLLP listener."""
    fhir = config.fhir
    assert fhir is not None
    receiver = PassThrough(
        Outbox(config.outbox_path, min_free_bytes=config.min_free_mb * 2**20),
        institution=config.institution,
        credential=fhir.credential,
    )
    server = make_fhir_server(
        receiver,
        host=fhir.host,
        port=fhir.port,
        base=fhir.base,
        cert_file=fhir.cert_file,
        key_file=fhir.key_file,
    )
    print(f"xt-gateway fhir on port {server.server_address[1]}", flush=True)
    return server


def _inbound(config: Config, stop: threading.Event) -> tuple[str, list[threading.Thread], Any]:
    """The endpoint the platform pushes to, and the handover to the drop folder."""
    inbound = config.inbound
    assert inbound is not None
    inbox = Inbox(config.outbox_path, min_free_bytes=config.min_free_mb * 2**20)
    receiver = PushReceiver(inbox, secret=config.secret, max_skew_s=inbound.max_skew_s)
    server = make_server(
        receiver,
        host=inbound.host,
        port=inbound.port,
        path=inbound.path,
        cert_file=inbound.cert_file,
        key_file=inbound.key_file,
    )
    port = server.server_address[1]
    url = inbound.url.replace("{port}", str(port))
    print(f"xt-gateway inbound on port {port}", flush=True)
    threads = [
        threading.Thread(target=server.serve_forever, name="inbound", daemon=True),
        threading.Thread(
            target=handover_loop,
            args=(Inbox(config.outbox_path), inbound.folder, receiver.wake, stop),
            name="handover",
            daemon=True,
        ),
    ]
    if inbound.his_host:
        threads.append(
            threading.Thread(
                target=his_loop,
                args=(Inbox(config.outbox_path),),
                kwargs={
                    "host": inbound.his_host,
                    "port": inbound.his_port,
                    "institution": config.institution,
                    "encoding": config.encoding,
                    "stop": stop,
                },
                name="his",
                daemon=True,
            )
        )
    return url, threads, server
