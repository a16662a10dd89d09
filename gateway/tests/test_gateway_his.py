"""A signed report the platform pushed, sent on to the HIS as HL7 v2 ORU^R01 over MLLP, in
the HIS's character set; it waits while the HIS is down and goes once it is back."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from pathlib import Path

from gateway_fakes import _free_port
from xt_gateway import hl7v2
from xt_gateway.his import his_loop, oru_from_bundle
from xt_gateway.inbox import Inbox

KEY = "imaging_report:5f0c@gw"
TEXT = "检查技术：胸部CT平扫\n影像所见：右肺上叶见一3 cm肿块^边界不清"
BUNDLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "identifier": {"system": "urn:xietong:platform-message", "value": KEY},
    "entry": [
        {"resource": {"resourceType": "Patient", "name": [{"text": "王小明"}], "gender": "male",
                      "birthDate": "1980-01-01", "identifier": [
                          {"system": "urn:xietong:mrn:H1", "value": "0012345"},
                          {"system": "urn:xietong:resident-id", "value": "33010219800101002X"}]}},
        {"resource": {"resourceType": "DiagnosticReport", "id": "r-1", "status": "final",
                      "code": {"coding": [{"system": "http://loinc.org", "code": "18748-4",
                                           "display": "Diagnostic imaging study"}]},
                      "issued": "2026-12-05T02:30:00+00:00", "conclusion": "右肺上叶占位",
                      "presentedForm": [{"contentType": "text/plain; charset=utf-8",
                                         "data": base64.b64encode(TEXT.encode()).decode()}]}},
        {"resource": {"resourceType": "DocumentReference", "status": "current",
                      "content": [{"attachment": {"contentType": "application/pdf",
                                                  "url": "/imaging/r-1/report-1.pdf"}}],
                      "context": {"related": [{"reference": "DiagnosticReport/r-1"}]}}},
    ],
}  # fmt: skip


def segments(raw: bytes) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    for line in raw.decode("gb18030").split("\r"):
        if line:
            out.setdefault(line[:3], []).append(line.split("|"))
    return out


def test_a_pushed_report_becomes_an_oru_the_his_can_read() -> None:
    raw = oru_from_bundle(BUNDLE, institution="H1", encoding="gb18030")
    incoming = hl7v2.parse(raw, default_encoding="gb18030")  # the gateway's own parser
    assert (incoming.message_type, incoming.event, incoming.charset) == ("ORU", "R01", "GB18030")
    s = segments(raw)
    pid = s["PID"][0]
    assert pid[3] == "0012345^^^H1^MR~33010219800101002X^^^^NNCHN"
    assert (pid[5], pid[7], pid[8]) == ("王小明", "19800101", "M")
    obr = s["OBR"][0]
    assert obr[4] == "18748-4^Diagnostic imaging study^LN"
    assert obr[22] == "20261205103000" and obr[25] == "F"  # Beijing time
    texts = [o[5] for o in s["OBX"] if o[2] == "TX"]
    # The conclusion, then each line of the report's text, "^" escaped as \S\.
    assert texts == [
        "右肺上叶占位",
        "检查技术：胸部CT平扫",
        "影像所见：右肺上叶见一3 cm肿块\\S\\边界不清",
    ]
    [pdf] = [o for o in s["OBX"] if o[2] == "RP"]
    assert pdf[5] == "/imaging/r-1/report-1.pdf^XIETONG^application^pdf"


class FakeHIS:
    def __init__(self, port: int) -> None:
        self.received: list[bytes] = []
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while not data.endswith(b"\x1c\x0d"):
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                message = data.strip(b"\x0b\x1c\x0d")
                self.received.append(message)
                ack = hl7v2.ack(hl7v2.parse(message, default_encoding="gb18030"), code="AA")
                conn.sendall(b"\x0b" + ack + b"\x1c\x0d")

    def close(self) -> None:
        self.sock.close()


def test_the_his_gets_each_report_once_after_it_comes_back(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "outbox.sqlite3", min_free_bytes=1)
    inbox.put(message_id=KEY, kind="imaging_report", body=json.dumps(BUNDLE).encode())
    inbox.put(message_id="plan", kind="down_referral", body=b"{}")  # not a report: folder only
    port, stop = _free_port(), threading.Event()
    loop = threading.Thread(
        target=his_loop,
        args=(inbox,),
        kwargs={"host": "127.0.0.1", "port": port, "institution": "H1",
                "encoding": "gb18030", "stop": stop},
        daemon=True,
    )  # fmt: skip
    loop.start()
    his = None
    try:
        time.sleep(0.5)  # the HIS is down: the report waits
        assert inbox.status(his=True).his_waiting == 1
        his = FakeHIS(port)
        deadline = time.monotonic() + 20
        while inbox.status(his=True).his_waiting:
            assert time.monotonic() < deadline, "the report never reached the HIS"
            time.sleep(0.1)
        time.sleep(0.5)
        assert len(his.received) == 1
        assert segments(his.received[0])["MSH"][0][8] == "ORU^R01^ORU_R01"
    finally:
        stop.set()
        loop.join(10)
        if his is not None:
            his.close()
        inbox.close()
