"""The words the audit log is written in. An event's action is `<resource>.<verb>` in lower
snake case (`patient.read`, `booking.create`); its resource type is a PascalCase noun, the FHIR
resource's name where there is one (`Patient`, `DocumentReference`). Core knows no app: each
app declares its own words in its `audit_events.py`, and its AppConfig.ready registers them
here. `audit_record` refuses a word nobody registered (see `audit_vocabulary_check`), so the
log cannot drift into several spellings of the same thing and the audit viewer can offer
every action by its name in the reader's language."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import get_language

Label = str | Promise

ACTION_STYLE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
RESOURCE_TYPE_STYLE = re.compile(r"^[A-Z][A-Za-z0-9]*$")

logger = logging.getLogger("xietong.audit")


class UnregisteredAuditValue(ValueError):
    """An audit action or resource type that no app registered (a typo, or a new event whose
    app forgot to declare it)."""


@dataclass(frozen=True)
class AuditVocabulary:
    """One app's words: name -> label shown to auditors (wrapped in gettext_lazy)."""

    actions: Mapping[str, Label] = field(default_factory=dict)
    resource_types: Mapping[str, Label] = field(default_factory=dict)
    # The roles an event's actor acted in (stored as codes, "coordinator,qc"), in words.
    roles: Mapping[str, Label] = field(default_factory=dict)


_actions: dict[str, Label] = {}
_resource_types: dict[str, Label] = {}
_roles: dict[str, Label] = {}


def _register(table: dict[str, Label], style: re.Pattern[str], name: str, label: Label) -> None:
    if not style.match(name):
        raise UnregisteredAuditValue(f"audit word {name!r} does not follow {style.pattern}")
    table.setdefault(name, label)


def audit_vocabulary_register(vocabulary: AuditVocabulary) -> AuditVocabulary:
    for name, label in vocabulary.actions.items():
        _register(_actions, ACTION_STYLE, name, label)
    for name, label in vocabulary.resource_types.items():
        _register(_resource_types, RESOURCE_TYPE_STYLE, name, label)
    for name, label in vocabulary.roles.items():
        _roles.setdefault(name, label)
    return vocabulary


def audit_model_resource_type(model: type[models.Model]) -> str:
    """The resource type of a row changed through Django's admin: its model's class name. The
    model itself is the declaration, so the admin can audit any model it is given."""
    name = model._meta.object_name or model.__name__
    _register(_resource_types, RESOURCE_TYPE_STYLE, name, model._meta.verbose_name or name)
    return name


def resource_action(resource_type: str, verb: str) -> str:
    """The action of `verb` on a resource type: ("ServiceRequest", "search") ->
    "service_request.search"."""
    return re.sub(r"(?<!^)(?=[A-Z][a-z])", "_", resource_type).lower() + "." + verb


def audit_actions() -> dict[str, Label]:
    return dict(_actions)


def audit_resource_types() -> dict[str, Label]:
    return dict(_resource_types)


def audit_action_label(name: str) -> Label:
    """An action's label; an old event's word that is no longer registered shows as itself."""
    return _actions.get(name, name)


def audit_resource_type_label(name: str) -> Label:
    return _resource_types.get(name, name)


def audit_roles_label(codes: str) -> str:
    """An event's roles ("coordinator,qc") in words, joined as the reader's language joins
    a list; a role nobody registered shows as its code."""
    names = [code for code in (codes or "").split(",") if code]
    separator = "、" if (get_language() or "").startswith("zh") else ", "
    return separator.join(str(_roles.get(code, code)) for code in names)


def audit_vocabulary_check(*, action: str, resource_type: str) -> list[str]:
    """The unregistered words of an event about to be written, or [] when all are known.
    With XT_AUDIT_STRICT_VOCABULARY (development and tests) an unknown word raises, so the
    change that brought it cannot pass its tests. In production the event is written all the
    same and an error logged: refusing would turn a misspelt word into a failed clinical action
    or, worse, a read or write with no trace at all; the log keeps what happened and the
    operators are told. audit_record marks such an event in its detail."""
    unknown = [
        f"{kind} {value!r}"
        for kind, value, known in (
            ("action", action, _actions),
            ("resource type", resource_type, _resource_types),
        )
        if value not in known
    ]
    if unknown:
        message = "unregistered audit " + " and ".join(unknown)
        if settings.XT_AUDIT_STRICT_VOCABULARY:
            raise UnregisteredAuditValue(message + " (declare it in the app's audit_events.py)")
        logger.error(message)
    return unknown
