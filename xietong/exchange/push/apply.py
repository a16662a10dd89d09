"""A gateway's Bundle applied: each entry checked, the resources it names found by their
identifiers (so a resent message changes nothing), references between entries and to
patients known by identifier resolved, then written with their provenance and audit.

A batch keeps its good entries and answers each refused one with an OperationOutcome; a
transaction is all or nothing. The answer is stored under the gateway's message id in the
same transaction as the writes, and a resend of that message gets it again."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.audit import audit_batch, audit_record

from ..linking import patient_matching
from ..models import ExchangeMessage, FhirResource, FhirToken, Gateway, TokenParam
from .edge import SUBJECT_OF, Bundle, Entry, bundle_parse, entry_check, subject_identifiers
from .outcome import Refusal, outcome_of, status_line
from .store import resource_write


class _TransactionRefused(Exception):
    pass


@dataclass
class _Run:
    gateway: Gateway
    bundle: Bundle
    message: ExchangeMessage | None = None
    # fullUrl -> the entry it names; "Type/id" of entries -> their patient link
    by_full_url: dict[str, Entry] = field(default_factory=dict)
    patient_of: dict[str, int | None] = field(default_factory=dict)
    audits: list[dict[str, Any]] = field(default_factory=list)


def bundle_push(*, gateway: Gateway, raw: bytes) -> tuple[int, dict[str, Any]]:
    """The HTTP status and FHIR body to answer a pushed Bundle with."""
    try:
        bundle = bundle_parse(raw)
    except Refusal as refusal:
        return refusal.status, refusal.outcome()
    stored = _stored_answer(gateway, bundle.message_id)
    if stored is not None:
        return 200, stored
    code = gateway.institution.code
    for entry in bundle.entries:
        entry_check(entry, institution_code=code)
    run = _Run(gateway=gateway, bundle=bundle)
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    run.message = ExchangeMessage.objects.create(
                        gateway=gateway, message_id=bundle.message_id, bundle_type=bundle.kind,
                        received_at=timezone.now(), entry_count=len(bundle.entries), response={},
                    )  # fmt: skip
            except IntegrityError:
                # The same message is being applied by another request, which has now
                # committed: its answer is this one's.
                return 200, _stored_answer(gateway, bundle.message_id) or {}
            answer = _apply(run)
    except _TransactionRefused:
        refused = [e.refusal for e in bundle.entries if e.refusal is not None]
        return 400, outcome_of(refused)
    return 200, answer


def _stored_answer(gateway: Gateway, message_id: str) -> dict[str, Any] | None:
    return (
        ExchangeMessage.objects.filter(gateway=gateway, message_id=message_id)
        .values_list("response", flat=True)
        .first()
    )


def _apply(run: _Run) -> dict[str, Any]:
    bundle = run.bundle
    transactional = bundle.kind == "transaction"
    if transactional and any(e.refusal for e in bundle.entries):
        raise _TransactionRefused
    _targets_find(run)
    # Patients first: the other entries refer to them.
    for entry in sorted(bundle.entries, key=lambda e: e.resource_type != "Patient"):
        if entry.refusal is None:
            if transactional:
                try:
                    _entry_apply(run, entry)
                except Refusal as refusal:
                    entry.refusal = refusal
            else:
                try:
                    with transaction.atomic():
                        _entry_apply(run, entry)
                except Refusal as refusal:
                    entry.refusal = refusal
        if entry.refusal is not None:
            entry.refusal.expression = entry.refusal.expression or f"Bundle.entry[{entry.index}]"
            if transactional:
                raise _TransactionRefused
            entry.answer = {
                "status": status_line(entry.refusal.status),
                "outcome": entry.refusal.outcome(),
            }
    with audit_batch():
        for event in run.audits:
            audit_record(actor=None, username=f"gateway:{run.gateway.secret_prefix}", **event)
    answer = {
        "resourceType": "Bundle",
        "type": f"{bundle.kind}-response",
        "entry": [{"response": e.answer} for e in bundle.entries],
    }
    assert run.message is not None
    run.message.response = answer
    run.message.refused_count = sum(1 for e in bundle.entries if e.refusal is not None)
    run.message.save(update_fields=["response", "refused_count"])
    return answer


def _own(run: _Run, resource_type: str) -> Any:
    return FhirResource.objects.filter(
        resource_type=resource_type, source_institution_id=run.gateway.institution_id
    )


def _by_identifier(run: _Run, resource_type: str, system: str, value: str) -> list[FhirResource]:
    """The institution's own resources carrying this identifier: each hospital keeps its own
    copy of a resident, linked to the same patient of ours."""
    ids = FhirToken.objects.filter(
        resource_type=resource_type, param=TokenParam.IDENTIFIER, system=system, value=value
    ).values("resource_id")
    return list(_own(run, resource_type).filter(pk__in=ids)[:2])


def _targets_find(run: _Run) -> None:
    """Each entry's logical id: the stored resource its condition finds, or a new one."""
    seen: set[tuple[str, str, str]] = set()
    for entry in run.bundle.entries:
        if entry.full_url:
            run.by_full_url[entry.full_url] = entry
        if entry.refusal is not None:
            continue
        if entry.condition is not None:
            key = (entry.resource_type, *entry.condition)
            if key in seen:
                entry.refusal = Refusal(
                    400, "duplicate", _("Another entry of this Bundle names the same resource.")
                )
                continue
            seen.add(key)
            found = _by_identifier(run, entry.resource_type, *entry.condition)
            if len(found) > 1:
                entry.refusal = Refusal(
                    412, "multiple-matches", _("More than one resource has this identifier.")
                )
                continue
            if found:
                entry.target_id, entry.existing_pk = found[0].logical_id, found[0].pk
        entry.target_id = entry.target_id or uuid.uuid4()


def _entry_apply(run: _Run, entry: Entry) -> None:
    content = copy.deepcopy(entry.resource)
    _references_resolve(run, entry, content)
    subject = ""
    if entry.resource_type == "Patient":
        patient_id = patient_matching(
            institution_id=run.gateway.institution_id,
            institution_code=run.gateway.institution.code,
            resource=content,
        )
        subject = entry.reference
    else:
        element = SUBJECT_OF[entry.resource_type]
        reference = (content.get(element) or {}).get("reference", "")
        subject = reference if reference.startswith("Patient/") else ""
        patient_id = _patient_of(run, subject) if subject else None
    existing = None
    if entry.existing_pk is not None:
        existing = FhirResource.objects.select_for_update().get(pk=entry.existing_pk)
    if entry.method == "POST" and existing is not None:
        written_action, resource = "none", existing
    else:
        assert run.message is not None and entry.target_id is not None
        written = resource_write(
            gateway=run.gateway, message=run.message, resource_type=entry.resource_type,
            logical_id=entry.target_id, existing=existing, content=content, subject=subject,
            patient_id=patient_id, source_system=_source(run, content),
            now=timezone.now(),
        )  # fmt: skip
        written_action, resource = written.action, written.resource
    run.patient_of[entry.reference] = resource.patient_id
    created = written_action == "create"
    entry.answer = {
        "status": status_line(201 if created else 200),
        "location": f"{entry.reference}/_history/{resource.version_id}",
        "etag": f'W/"{resource.version_id}"',
        "lastModified": resource.last_updated.isoformat().replace("+00:00", "Z"),
    }
    if written_action != "none":
        run.audits.append(
            {
                "action": f"fhir_resource.{written_action}",
                "resource_type": "FhirResource",
                "resource_id": entry.reference,
                "patient_id": resource.patient_id,
                "detail": {
                    "gateway": str(run.gateway.uuid),
                    "institution_id": run.gateway.institution_id,
                    "message_id": run.bundle.message_id,
                    "version": resource.version_id,
                },
            }
        )


def _source(run: _Run, content: dict[str, Any]) -> str:
    meta = content.get("meta")
    source = meta.get("source") if isinstance(meta, dict) else None
    return source if isinstance(source, str) and source else run.bundle.source


def _patient_of(run: _Run, reference: str) -> int | None:
    if reference not in run.patient_of:
        _type, _sep, logical_id = reference.partition("/")
        run.patient_of[reference] = (
            FhirResource.objects.filter(resource_type="Patient", logical_id=logical_id)
            .values_list("patient_id", flat=True)
            .first()
        )
    return run.patient_of[reference]


def _references_resolve(run: _Run, entry: Entry, content: dict[str, Any]) -> None:
    """Rewrites references to other entries and to patients named by identifier into our
    logical ids; a reference to something we do not hold refuses the entry."""
    for system, value in subject_identifiers(entry):
        found = _patient_by_identifier(run, system, value)
        if found is None:
            raise Refusal(
                404, "not-found", _("No patient of this institution has the identifier %(id)s."),
                {"id": f"{system}|{value}"},
            )  # fmt: skip
        content[SUBJECT_OF[entry.resource_type]]["reference"] = found
    for node in _reference_nodes(content):
        target = node["reference"]
        if target.startswith("urn:uuid:"):
            named = run.by_full_url.get(target)
            if named is None:
                raise Refusal(
                    404, "not-found", _("The reference %(ref)s names no entry of this Bundle."),
                    {"ref": target},
                )  # fmt: skip
            if named.refusal is not None:
                raise Refusal(
                    400, "not-found",
                    _("The entry %(ref)s refers to was refused."), {"ref": target},
                )  # fmt: skip
            node["reference"] = named.reference
        elif "?" in target.partition("/")[0]:
            # A conditional reference other than the subject's: nothing resolves it, and
            # keeping it would store a reference that names nothing.
            raise Refusal(
                400, "not-supported",
                _("The conditional reference %(ref)s is not resolved here: name the patient "
                  "as Patient?identifier=system|value, or refer to an entry of this Bundle."),
                {"ref": target},
            )  # fmt: skip
        elif _local(target) and not _known(run, target):
            raise Refusal(
                404, "not-found", _("The reference %(ref)s names nothing held here."),
                {"ref": target},
            )  # fmt: skip


def _patient_by_identifier(run: _Run, system: str, value: str) -> str | None:
    for entry in run.bundle.entries:
        if entry.resource_type == "Patient" and entry.condition == (system, value):
            return entry.reference if entry.refusal is None else None
    found = _by_identifier(run, "Patient", system, value)
    return f"Patient/{found[0].logical_id}" if len(found) == 1 else None


def _local(reference: str) -> bool:
    resource_type, sep, rest = reference.partition("/")
    return bool(sep) and resource_type in SUBJECT_OF and "/" not in rest


def _known(run: _Run, reference: str) -> bool:
    if any(e.reference == reference and e.refusal is None for e in run.bundle.entries):
        return True
    resource_type, _sep, logical_id = reference.partition("/")
    try:
        key = uuid.UUID(logical_id)
    except ValueError:
        return False
    return FhirResource.objects.filter(resource_type=resource_type, logical_id=key).exists()


def _reference_nodes(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if isinstance(node.get("reference"), str):
            found.append(node)
        for value in node.values():
            found += _reference_nodes(value)
    elif isinstance(node, list):
        for value in node:
            found += _reference_nodes(value)
    return found
