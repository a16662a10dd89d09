"""The audit log's words as its readers say them (core/audit_vocabulary)."""

from __future__ import annotations

from django import template

from xietong.core.audit_vocabulary import (
    audit_action_label,
    audit_resource_type_label,
    audit_roles_label,
)

register = template.Library()

register.filter("audit_action_label", audit_action_label)
register.filter("audit_resource_type_label", audit_resource_type_label)
register.filter("audit_roles_label", audit_roles_label)
