"""What the platform pushes to hospitals, told by the apps that know it.

The exchange app sits below the workflows (import-linter): it cannot read an opinion or a
referral. Each workflow app registers, for the workflow event that should reach a hospital
(`consultation.opinion_sign`), a function that turns the event's payload into what to push:
the patient, the institutions to tell and the FHIR resources. The exchange app does the rest
(which gateways, the Bundle, the durable row, the delivery)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from xietong.core.events import event_subscribe_within


@dataclass(frozen=True)
class PushContent:
    kind: str  # a PushKind
    patient_id: int
    # The institutions whose gateways receive it (the requester, the lower hospital).
    institution_ids: tuple[int, ...]
    # Stable for this version of what is told: the idempotency key is made from it, so the
    # same signature never yields two messages.
    source_key: str
    subject: str
    # FHIR resources without the Patient (the exchange adds it, with the receiving
    # hospital's own MRN); their subject references point at `Patient/<patient uuid>`.
    resources: list[dict[str, Any]] = field(default_factory=list)


Build = Callable[[dict[str, Any]], PushContent | None]
Told = Callable[[dict[str, Any]], Iterable[int | None]]


@dataclass(frozen=True)
class PushSource:
    build: Build
    # The institutions the event may concern, from its payload alone (the step's event
    # carries them, Machine.event_fields): most signings concern no institution with a
    # gateway that takes pushes, and those cost the signing no statement at all.
    told: Told


_sources: dict[str, list[PushSource]] = {}


def push_source_register(event: str, build: Build, *, told: Told) -> None:
    """`build` runs inside the transaction that emits `event` when one of the institutions
    `told` has a gateway taking pushes, and returns None when this event is nothing to push
    (an MDT part, a report not yet signed)."""
    from .services import outgoing_record  # the services read the registry back

    source = PushSource(build=build, told=told)
    if source not in _sources.setdefault(event, []):
        _sources[event].append(source)
    event_subscribe_within(event)(outgoing_record)


def push_sources(event: str) -> list[PushSource]:
    return list(_sources.get(event, []))
