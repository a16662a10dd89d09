"""The audit log speaks one vocabulary: every action and resource type the code base writes is
registered by its app, and all follow one style (core/audit_vocabulary)."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from xietong.accounts.models import User
from xietong.accounts.tests.factories import make_actor
from xietong.core.audit import audit_record
from xietong.core.audit_vocabulary import (
    ACTION_STYLE,
    RESOURCE_TYPE_STYLE,
    UnregisteredAuditValue,
    audit_actions,
    audit_resource_types,
    resource_action,
)
from xietong.core.models import AuditEvent

ROOT = Path(__file__).resolve().parents[2]
# Functions that hand their `action` (and `resource_type`) to audit_record unchanged.
AUDIT_CALLS = {"audit_record", "account_audit", "audit_change", "_audit", "_audit_refused"}
# Computed words whose registration is checked by a test of its own, below.
COMPUTED = {"f'{machine.name}.{step.action}'": "every Machine registers its table"}


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _literals(node: ast.expr) -> list[str | ast.JoinedStr]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    if isinstance(node, ast.JoinedStr):
        return [node]
    return []


def _written() -> list[tuple[str, str, str | ast.JoinedStr]]:
    """(place, "action" or "resource_type", the literal) for every audit call in the source."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call) or _name(node.func) not in AUDIT_CALLS:
                continue
            place = f"{path.relative_to(ROOT)}:{node.lineno}"
            args = {k.arg: k.value for k in node.keywords if k.arg}
            if _name(node.func) == "_audit" and len(node.args) > 1:
                args.setdefault("action", node.args[1])
            for kind in ("action", "resource_type"):
                if kind in args:
                    found += [(place, kind, v) for v in _literals(args[kind])]
    return found


def test_the_scan_finds_the_audit_calls() -> None:
    # Guards the test itself: a scan that found nothing would pass vacuously.
    assert len(_written()) > 60


def test_every_action_and_resource_type_written_is_registered() -> None:
    actions, types = audit_actions(), audit_resource_types()
    unknown = []
    for place, kind, value in _written():
        known = actions if kind == "action" else types
        if isinstance(value, ast.JoinedStr) and ast.unparse(value) in COMPUTED:
            continue
        if isinstance(value, ast.JoinedStr):
            # f"consultation.{step.action}": the registered words must cover the prefix.
            head = value.values[0]
            prefix = head.value if isinstance(head, ast.Constant) else ""
            if not prefix or not any(name.startswith(str(prefix)) for name in known):
                unknown.append((place, ast.unparse(value)))
        elif value not in known:
            unknown.append((place, value))
    assert unknown == []


def test_every_registered_word_follows_the_style() -> None:
    assert [a for a in audit_actions() if not ACTION_STYLE.match(a)] == []
    assert [t for t in audit_resource_types() if not RESOURCE_TYPE_STYLE.match(t)] == []
    # Every action's resource part is itself lower snake case: "patient.read", not "read".
    assert all(len(a.split(".")) == 2 for a in audit_actions())


def test_every_step_of_the_workflow_tables_is_registered() -> None:
    from xietong.consultations.workflow import Action as ConsultationAction
    from xietong.referrals.workflow import Action as ReferralAction

    assert {f"consultation.{a}" for a in ConsultationAction} <= set(audit_actions())
    assert {f"referral.{a}" for a in ReferralAction} <= set(audit_actions())


def test_a_workflow_machine_registers_each_step_of_its_table() -> None:
    from xietong.core.tests.workflow_ticket import MACHINE

    steps = {f"ticket.{action}" for (_state, action) in MACHINE.table}
    assert steps <= set(audit_actions())
    assert "Ticket" in audit_resource_types()


def test_lists_are_recorded_as_a_search_of_their_resource() -> None:
    assert resource_action("ServiceRequest", "search") == "service_request.search"
    assert resource_action("DocumentReference", "read") == "document_reference.read"
    assert resource_action("Patient", "search") in audit_actions()


@pytest.mark.django_db
def test_an_unregistered_word_is_refused_in_tests_and_nothing_is_written() -> None:
    with pytest.raises(UnregisteredAuditValue, match="read"):
        audit_record(actor=None, action="read", resource_type="Patient")
    with pytest.raises(UnregisteredAuditValue, match="patient"):
        audit_record(actor=None, action="patient.read", resource_type="patient")
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
@override_settings(XT_AUDIT_STRICT_VOCABULARY=False)
def test_in_production_an_unregistered_word_is_written_marked_and_logged(caplog) -> None:
    with caplog.at_level(logging.ERROR, logger="xietong.audit"):
        event = audit_record(actor=None, action="patient.peek", resource_type="Patient")
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.action == "patient.peek"
    assert stored.detail == {"unregistered": ["action 'patient.peek'"]}
    assert "unregistered audit action 'patient.peek'" in caplog.text


@pytest.mark.django_db
def test_the_audit_log_offers_the_registered_actions_in_chinese() -> None:
    admin = make_actor("platform_admin")
    doctor = make_actor("requester")
    audit_record(actor=doctor, action="patient.read", resource_type="Patient")
    audit_record(actor=doctor, action="consent.create", resource_type="Consent")
    client = Client(headers={"accept-language": "zh-hans"})
    client.force_login(User.objects.get(pk=admin.user_id))
    html = client.get(reverse("audit:log")).content.decode()
    assert '<option value="patient.read">打开患者档案 (patient.read)</option>' in html
    assert '<option value="Consent">知情同意书 (Consent)</option>' in html
    assert "打开患者档案" in html.split("<tbody>")[1]

    filtered = client.get(reverse("audit:log"), {"action": "patient."}).content.decode()
    rows = filtered.split("<tbody>")[1]
    assert "patient.read" in rows and "consent.create" not in rows
    by_type = client.get(reverse("audit:log"), {"resource_type": "Consent"}).content.decode()
    assert "consent.create" in by_type.split("<tbody>")[1]
