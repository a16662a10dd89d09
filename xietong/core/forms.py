from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditOutcome
from .selectors import AuditFilters
from .widgets import DateInput


class AuditFilterForm(forms.Form):
    username = forms.CharField(label=_("User"), max_length=150, required=False)
    action = forms.CharField(label=_("Action"), max_length=40, required=False)
    resource_type = forms.CharField(label=_("Resource type"), max_length=60, required=False)
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
