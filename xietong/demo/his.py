"""A small simulated HIS for the demo: the county hospital's registration desk and laboratory
sending HL7 v2 over MLLP to the hospital's gateway, as a real HIS would.

It lives in the demo, not in the gateway package: what it sends is about the demo's own
patients (those the county hospital cares for, by their resident IDs), which only the
platform's database knows, and the gateway must stay free of Django and of the platform's
code (import-linter). A hospital's front-end machine has no use for invented patients."""

from __future__ import annotations

import datetime as dt
import random
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

from xietong.patients.models import (
    CareRelationship,
    IdentifierSystem,
    Patient,
    PatientIdentifier,
)

START, END = b"\x0b", b"\x1c\r"
BEIJING = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class HisPatient:
    mrn: str
    resident_id: str
    name: str
    sex: str  # HL7 table 0001: M, F, U
    birth_date: dt.date


def his_patients(*, institution_id: int, limit: int = 12) -> list[HisPatient]:
    """The first patients the hospital cares for, as its HIS knows them: its own medical
    record number when the platform has one, else one the HIS made up (the platform then
    links the record by the resident ID)."""
    ids = CareRelationship.objects.filter(institution_id=institution_id).values("patient_id")
    patients = list(Patient.objects.filter(pk__in=ids).order_by("pk")[:limit])
    mrns = dict(
        PatientIdentifier.objects.filter(
            patient__in=patients, system=IdentifierSystem.MRN, assigner_id=institution_id
        ).values_list("patient_id", "value")
    )
    sexes = {"1": "M", "2": "F"}
    return [
        HisPatient(
            mrn=mrns.get(p.pk, f"ZY{p.pk:07d}"),
            resident_id=p.resident_id or "",
            name=p.name,
            sex=sexes.get(p.sex, "U"),
            birth_date=p.birth_date,
        )
        for p in patients
    ]


def _ts(at: dt.datetime) -> str:
    return at.astimezone(BEIJING).strftime("%Y%m%d%H%M%S")


def _pid(patient: HisPatient) -> str:
    ids = f"{patient.mrn}^^^HIS^MR"
    if patient.resident_id:
        ids += f"~{patient.resident_id}^^^^NNCHN"
    family, given = patient.name[:1], patient.name[1:]
    return f"PID|1||{ids}||{family}^{given}^^^^^L||{patient.birth_date:%Y%m%d}|{patient.sex}"


def _msh(app: str, kind: str, control: str, at: dt.datetime) -> str:
    return f"MSH|^~\\&|{app}|演示县医院|XT-GW|XT|{_ts(at)}||{kind}|{control}|P|2.5||||||GB18030"


def adt_a04(patient: HisPatient, *, control: str, at: dt.datetime) -> bytes:
    """The registration desk registers an outpatient visit."""
    visit = f"MZ{control}"
    # PV1-19 the visit number, PV1-44 the time the visit began (the registration).
    pv1 = "|".join(["PV1", "1", "O", "门诊^^^内科", "", "", "", "D001^王^建国", "", "",
                    "内科"] + [""] * 8 + [visit] + [""] * 24 + [_ts(at)])  # fmt: skip
    return "\r".join(
        [_msh("HIS", "ADT^A04^ADT_A01", control, at), f"EVN|A04|{_ts(at)}", _pid(patient), pv1]
    ).encode("gb18030")


# A small laboratory: (LOINC, local code, name, unit, low, high, decimals).
PANEL = (
    ("2823-3", "K", "钾", "mmol/L", 3.5, 5.5, 1),
    ("2951-2", "NA", "钠", "mmol/L", 137.0, 147.0, 0),
    ("2345-7", "GLU", "葡萄糖", "mmol/L", 3.9, 6.1, 1),
    ("2160-0", "CREA", "肌酐", "umol/L", 57.0, 111.0, 0),
    ("718-7", "HGB", "血红蛋白", "g/L", 130.0, 175.0, 0),
    ("6690-2", "WBC", "白细胞计数", "10*9/L", 3.5, 9.5, 1),
)


def oru_r01(patient: HisPatient, *, control: str, at: dt.datetime, rng: random.Random) -> bytes:
    """The laboratory reports a few results of the panel, now and then one out of range."""
    collected = at - dt.timedelta(hours=1)
    lines = [
        _msh("LIS", "ORU^R01^ORU_R01", control, at),
        _pid(patient),
        f"OBR|1|ORD{control}|R{control}|LAB^生化检验^L|||{_ts(collected)}|||||||||||||||"
        f"{_ts(at)}|||F",
    ]
    for n, (loinc, local, name, unit, low, high, places) in enumerate(
        rng.sample(PANEL, 3), start=1
    ):
        span = high - low
        value = round(rng.uniform(low - span * 0.25, high + span * 0.25), places)
        flag = "H" if value > high else "L" if value < low else "N"
        shown = f"{value:.{places}f}"
        lines.append(
            f"OBX|{n}|NM|{loinc}^{name}^LN^{local}^{name}^L||{shown}|{unit}|"
            f"{low:.{places}f}-{high:.{places}f}|{flag}|||F|||{_ts(collected)}"
        )
    return "\r".join(lines).encode("gb18030")


def mllp_send(host: str, port: int, message: bytes, *, timeout: float = 10.0) -> bytes:
    """One message and its acknowledgement over a fresh MLLP connection."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(START + message + END)
        answer = b""
        while not answer.endswith(END):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer.strip(START + END)


def ack_code(ack: bytes) -> str:
    """MSA-1 of an acknowledgement (AA, AE, AR), or "" when there is none."""
    for segment in ack.split(b"\r"):
        if segment.startswith(b"MSA|"):
            return segment.split(b"|")[1].decode("ascii", "replace")
    return ""


class SimulatedHis:
    """Every `interval` seconds one message: a patient's visit registered the first time
    they come, then their results from the laboratory."""

    def __init__(self, patients: list[HisPatient], *, host: str, port: int,
                 seed: int = 12, now: Callable[[], dt.datetime] | None = None) -> None:  # fmt: skip
        self.patients = patients
        self.host, self.port = host, port
        self.rng = random.Random(seed)
        self.now = now or (lambda: dt.datetime.now(dt.UTC))
        self.registered: set[str] = set()
        self.sent = 0
        self.acks: dict[str, int] = {}
        # Control ids unique across restarts of the demo: the gateway keeps each id once.
        self._prefix = f"{int(self.now().timestamp()):x}"

    def send_one(self) -> str:
        """Sends the next message; returns the gateway's answer (AA, AE, AR), or "" when
        the gateway is not listening (yet): the same message is tried the next time."""
        patient = self.patients[self.sent % len(self.patients)]
        control = f"{self._prefix}{self.sent:05d}"
        at = self.now()
        first_visit = patient.mrn not in self.registered
        message = (
            adt_a04(patient, control=control, at=at)
            if first_visit
            else oru_r01(patient, control=control, at=at, rng=self.rng)
        )
        try:
            code = ack_code(mllp_send(self.host, self.port, message))
        except OSError:
            code = ""
        else:
            self.sent += 1
            if first_visit:
                self.registered.add(patient.mrn)
        self.acks[code] = self.acks.get(code, 0) + 1
        return code

    def run(self, stop: threading.Event, *, interval: float) -> None:
        while not stop.is_set():
            self.send_one()
            stop.wait(interval)
