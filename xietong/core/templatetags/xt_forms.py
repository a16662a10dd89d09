"""{% form_errors form [form…] %}: a failed submit's errors summarised above the form, each
linked to its field, so a long form never hides why it was refused."""

from __future__ import annotations

from typing import Any

from django import forms, template

register = template.Library()


def errors_summary(*candidates: Any) -> list[tuple[str, str, str]]:
    """(label, message, id of the field) for each error of the forms given, in field order;
    errors of the whole form come first and have no field to point at."""
    rows: list[tuple[str, str, str]] = []
    for form in candidates:
        if not isinstance(form, forms.BaseForm) or not form.is_bound:
            continue
        rows.extend(("", str(message), "") for message in form.non_field_errors())
        for bound in form:
            rows.extend(
                (str(bound.label), str(message), bound.id_for_label or "")
                for message in bound.errors
            )
    return rows


@register.inclusion_tag("core/components/form_errors.html")
def form_errors(*candidates: Any) -> dict[str, Any]:
    return {"errors_summary": errors_summary(*candidates)}
