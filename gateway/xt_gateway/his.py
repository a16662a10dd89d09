"""Reports the platform pushed, sent on to the HIS as HL7 v2 ORU^R01 over MLLP.

For an HIS that takes results by HL7 v2 rather than from the drop folder (`[inbound]
his_host`/`his_port`). A signed opinion or imaging report becomes one ORU^R01: PID with the
hospital's MRN and the resident ID, an OBR per DiagnosticReport (LOINC code, issued, F or C),
an OBX (TX) for the conclusion and for each line of its text, and an OBX (RP) pointing at
the report's PDF on the platform. Sent in the order received, one at a time; a message the
HIS does not acknowledge AA/CA waits and is sent again, the later ones behind it."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import socket
import threading
from typing import Any

from . import hl7v2
from .inbox import Inbox
from .mllp import END, START

log = logging.getLogger("xt_gateway.his")

GENDER = {"male": "M", "female": "F", "other": "O"}
CHARSET = {"gb18030": "GB18030", "utf-8": "UNICODE UTF-8"}


def _ts(value: str | None) -> str:
    if not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if moment.tzinfo is not None:  # the HIS reads Beijing time
        moment = moment.astimezone(dt.timezone(dt.timedelta(hours=8)))
    return moment.strftime("%Y%m%d%H%M%S")


def _e(text: Any) -> str:
    return hl7v2._escape(str(text or "")).replace("\r", " ").replace("\n", " ")


def _pid(patient: dict[str, Any], institution: str) -> str:
    ids: list[str] = []
    for identifier in patient.get("identifier") or []:
        system, value = identifier.get("system", ""), _e(identifier.get("value"))
        if system == f"urn:xietong:mrn:{institution}":
            ids.insert(0, f"{value}^^^{institution}^MR")
        elif system == "urn:xietong:resident-id":
            ids.append(f"{value}^^^^NNCHN")
    name = _e((patient.get("name") or [{}])[0].get("text"))
    birth = (patient.get("birthDate") or "").replace("-", "")
    sex = GENDER.get(patient.get("gender", ""), "U")
    return "|".join(["PID", "1", "", "~".join(ids), "", name, "", birth, sex])


def _lines(report: dict[str, Any]) -> list[str]:
    lines = [str(report["conclusion"])] if report.get("conclusion") else []
    for form in report.get("presentedForm") or []:
        if str(form.get("contentType", "")).startswith("text/plain") and form.get("data"):
            text = base64.b64decode(form["data"]).decode("utf-8", errors="replace")
            lines.extend(line for line in text.splitlines() if line.strip())
    return lines


def oru_from_bundle(bundle: dict[str, Any], *, institution: str, encoding: str) -> bytes:
    resources = [e.get("resource") or {} for e in bundle.get("entry") or []]
    patient = next((r for r in resources if r.get("resourceType") == "Patient"), {})
    reports = [r for r in resources if r.get("resourceType") == "DiagnosticReport"]
    pdfs = {
        ref.get("reference"): c.get("attachment", {}).get("url")
        for r in resources
        if r.get("resourceType") == "DocumentReference"
        for ref in (r.get("context") or {}).get("related") or []
        for c in r.get("content") or []
    }
    key = str((bundle.get("identifier") or {}).get("value", ""))
    control = "XT" + hashlib.sha256(key.encode()).hexdigest()[:18]
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).strftime("%Y%m%d%H%M%S")
    charset = CHARSET.get(encoding.lower(), "UNICODE UTF-8")
    segments = [
        "|".join(["MSH", "^~\\&", "XT-GATEWAY", "XIETONG", "HIS", institution, now, "",
                  "ORU^R01^ORU_R01", control, "P", "2.5", "", "", "", "", "", charset]),
        _pid(patient, institution),
    ]  # fmt: skip
    for i, report in enumerate(reports, start=1):
        coding = ((report.get("code") or {}).get("coding") or [{}])[0]
        code = f"{_e(coding.get('code'))}^{_e(coding.get('display'))}^LN"
        issued = _ts(report.get("issued"))
        status = "C" if report.get("status") == "corrected" else "F"
        obr = ["OBR", str(i), "", _e(report.get("id")), code] + [""] * 17 + [issued, "", ""]
        segments.append("|".join([*obr, status]))
        n = 0
        for line in _lines(report):
            n += 1
            segments.append("|".join(["OBX", str(n), "TX", code, "", _e(line)] + [""] * 5 + ["F"]))
        pdf = pdfs.get(f"DiagnosticReport/{report.get('id')}")
        if pdf:
            n += 1
            pointer = f"{_e(pdf)}^XIETONG^application^pdf"
            segments.append("|".join(["OBX", str(n), "RP", "PDF^报告PDF^L", "", pointer]
                                     + [""] * 5 + ["F"]))  # fmt: skip
    return "\r".join(segments).encode(encoding, errors="replace") + b"\r"


def mllp_send(host: str, port: int, message: bytes, *, timeout: float = 30) -> bytes:
    with socket.create_connection((host, port), timeout=timeout) as conn:
        conn.sendall(START + message + END)
        data = b""
        while END not in data:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
    return data.split(START, 1)[-1].split(END, 1)[0]


def send_one(
    raw: bytes, *, host: str, port: int, institution: str, encoding: str, timeout: float = 30
) -> str | None:
    """None once the HIS acknowledged AA/CA; else what went wrong."""
    import json

    try:
        message = oru_from_bundle(json.loads(raw), institution=institution, encoding=encoding)
        answer = mllp_send(host, port, message, timeout=timeout)
        incoming = hl7v2.parse(answer, default_encoding=encoding)
        msa = incoming.first("MSA")
        assert msa is not None
        code = hl7v2.value(incoming, msa, 1)
    except (OSError, ValueError, hl7v2.HL7Error, AssertionError) as exc:
        return f"HIS: {type(exc).__name__}: {exc}"[:300]
    return None if code in ("AA", "CA") else f"HIS answered {code}"


def his_loop(
    inbox: Inbox,
    *,
    host: str,
    port: int,
    institution: str,
    encoding: str,
    stop: threading.Event,
) -> None:
    failures = 0
    while not stop.is_set():
        for item in inbox.to_send_his():
            error = send_one(
                item.body, host=host, port=port, institution=institution, encoding=encoding
            )
            inbox.mark_his(item.seq, error=error)
            if error is not None:
                failures += 1
                log.warning("HIS did not take %s: %s", item.message_id, error)
                break
            failures = 0
        stop.wait(min(60.0, 2.0 * 2 ** min(failures, 5)) if failures else 2.0)
