from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .audit_vocabulary import Label, audit_actions, audit_resource_types
from .models import AuditOutcome
from .selectors import AuditFilters
from .widgets import DateInput


class AuditFilterForm(forms.Form):
    username = forms.CharField(label=_("User"), max_length=150, required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    resource_type = forms.ChoiceField(label=_("Resource type"), required=False)
    patient = forms.CharField(
        label=_("Patient ID"),
        max_length=64,
        required=False,
        help_text=_("The number in the log, or the patient's ID from their page address."),
    )
    outcome = forms.TypedChoiceField(
        label=_("Outcome"),
        choices=[("", _("any outcome")), *AuditOutcome.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The registry fills as the apps start, so the choices are read per form, not at import.
        action, resource_type = self.fields["action"], self.fields["resource_type"]
        assert isinstance(action, forms.ChoiceField)
        assert isinstance(resource_type, forms.ChoiceField)
        action.choices = _action_choices()
        types = sorted(audit_resource_types().items(), key=lambda kv: kv[0])
        resource_type.choices = [
            ("", _("any resource")),
            *[(name, _labelled(label, name)) for name, label in types],
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> AuditFilters:
        """The filters to apply; call after is_valid(). Invalid fields are left out."""
        data = getattr(self, "cleaned_data", {})
        return AuditFilters(
            username=data.get("username") or "",
            action=data.get("action") or "",
            resource_type=data.get("resource_type") or "",
            patient=data.get("patient") or "",
            outcome=data.get("outcome"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


def _labelled(label: Label, name: str) -> Label:
    return format_lazy("{} ({})", label, name)


def _action_choices() -> list[Any]:
    """The registered actions grouped by what they act on; each group starts with the whole
    group (its `<resource>.` prefix matches every action of it)."""
    groups: dict[str, list[tuple[str, Label]]] = {}
    for name, label in sorted(audit_actions().items()):
        groups.setdefault(name.split(".", 1)[0], []).append((name, _labelled(label, name)))
    return [
        ("", _("any action")),
        *[
            (prefix, [(f"{prefix}.", format_lazy("{} {}.*", _("all of"), prefix)), *choices])
            for prefix, choices in groups.items()
        ],
    ]
