"""Queuing pushes to hospitals, in the transaction of what they tell (ADR 27).

`outgoing_record` runs inside the transaction that signs an opinion or a report, or refers a
patient down (core/events.py, `event_subscribe_within`): the message row exists exactly when
its cause does. A crash right after the commit loses nothing, since the row is on disk and
the sweep (tasks.py) sends whatever is due; an after-commit handler would lose the push when
the process died between the commit and the handler. Its delivery, which talks to another
machine, is queued for after the commit."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.core.audit import audit_record
from xietong.core.errors import ValidationFailed
from xietong.directory.models import Institution
from xietong.patients.models import Patient

from ..models import Gateway, OutgoingMessage, PushKind
from .bundle import bundle_build
from .listening import listening_forget, listening_institutions
from .registry import PushContent, push_sources


def _wants(gateway: Gateway, kind: str) -> bool:
    return not gateway.push_kinds or kind in gateway.push_kinds


def outgoing_record(name: str, payload: dict[str, Any]) -> None:
    """The event handler: a message per gateway of each institution told, for gateways in
    use that gave an address and want this kind."""
    for source in push_sources(name):
        if not listening_institutions() & {i for i in source.told(payload) if i is not None}:
            continue
        content = source.build(payload)
        if content is not None:
            outgoing_queue(content)


def outgoing_queue(content: PushContent) -> list[OutgoingMessage]:
    gateways = [
        g
        for g in Gateway.objects.filter(
            institution_id__in=content.institution_ids, active=True
        ).exclude(push_url="")
        if _wants(g, content.kind)
    ]
    if not gateways:
        return []
    patient = Patient.objects.get(pk=content.patient_id)
    institutions = Institution.objects.in_bulk([g.institution_id for g in gateways])
    now = timezone.now()
    queued = []
    for gateway in gateways:
        # One key per (what is told, gateway): the same signature emitted twice, or its
        # message sent twice, is still one message at the hospital.
        message_id = f"{content.source_key}@{gateway.uuid}"
        bundle = bundle_build(
            content,
            patient=patient,
            institution=institutions[gateway.institution_id],
            message_id=message_id,
            at=now,
        )
        message, created = OutgoingMessage.objects.get_or_create(
            message_id=message_id,
            defaults={
                "gateway": gateway, "kind": content.kind, "patient": patient,
                "subject": content.subject[:200], "bundle": bundle, "created_at": now,
                "next_attempt_at": now,
            },
        )  # fmt: skip
        if not created:
            continue
        audit_record(
            actor=None,
            action="outgoing_message.create",
            resource_type="OutgoingMessage",
            resource_id=message_id,
            patient_id=patient.pk,
            detail={"gateway": str(gateway.uuid), "kind": content.kind},
        )
        queued.append(message)
    if queued:
        from .tasks import outgoing_deliver_task

        pks = [m.pk for m in queued]
        transaction.on_commit(lambda: [outgoing_deliver_task.enqueue(message_pk=pk) for pk in pks])
    return queued


def gateway_push_announce(*, gateway: Gateway, url: str, kinds: list[str] | None) -> None:
    """What the gateway says in its heartbeat: where it takes pushes and which kinds. The
    hospital's IT decides both in the gateway's configuration; what is pushed is only ever
    about the institution's own patients, to its own authenticated gateway."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 300:
        raise ValidationFailed.single("inbound_url", _("Give an http(s) address for pushes."))
    wanted = sorted(set(kinds or []))
    unknown = [k for k in wanted if k not in PushKind.values]
    if unknown:
        raise ValidationFailed.single(
            "inbound_kinds", _("Unknown kind: %(kinds)s.") % {"kinds": ", ".join(unknown)}
        )
    if gateway.push_url != url or sorted(gateway.push_kinds or []) != wanted:
        Gateway.objects.filter(pk=gateway.pk).update(push_url=url, push_kinds=wanted)
        gateway.push_url, gateway.push_kinds = url, wanted
        # Now for this transaction's own reads, and again once others can see the change.
        listening_forget()
        transaction.on_commit(listening_forget)
