"""The filters of the resident's record page, read from its GET form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xietong.core.widgets import DateInput

from .ehr.kinds import KINDS
from .ehr.selectors import EhrCriteria


class EhrFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("all types")), *[(k.code, k.label) for k in KINDS]],
    )
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())
    # Offered: the institutions the record holds entries of, known once it is read
    # (institutions_offer); another number simply matches nothing.
    institution = forms.IntegerField(
        label=_("Institution"), required=False, min_value=1, widget=forms.Select
    )

    def institutions_offer(self, institutions: list[tuple[int, str]]) -> None:
        widget = self.fields["institution"].widget
        assert isinstance(widget, forms.Select)
        widget.choices = [("", _("all institutions")), *institutions]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("since"), data.get("until")
        if start and end and start > end:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def criteria(self) -> EhrCriteria:
        """The filters to apply; call after is_valid(). An invalid field is left out."""
        data = getattr(self, "cleaned_data", {})
        kind = data.get("kind") or ""
        return EhrCriteria(
            kinds=frozenset({kind} if kind else ()),
            since=data.get("since"),
            until=data.get("until"),
            institution_id=data.get("institution"),
        )
