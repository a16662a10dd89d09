"""The filters of the directory's pages. They only parse the query string; the selectors
decide what matches."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import InstitutionKind, InstitutionLevel, Service, Title
from .selectors import departments


def _with_blank(choices: list[tuple[str, Any]], blank: Any) -> list[tuple[str, Any]]:
    return [("", blank), *choices]


class FilterForm(forms.Form):
    def filters(self) -> dict[str, str | None]:
        """The filters that are valid (a wrong one is reported on the form and left out),
        each None when not given."""
        self.is_valid()
        return {name: (value or None) for name, value in self.cleaned_data.items()}


class InstitutionFilterForm(FilterForm):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=_with_blank(InstitutionLevel.choices, _("any"))
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=_with_blank(InstitutionKind.choices, _("any"))
    )


class ExpertSearchForm(FilterForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("name, hospital, disease")}
        ),
    )
    department = forms.ChoiceField(label=_("Department"), required=False)
    specialty = forms.CharField(label=_("Specialty"), required=False, max_length=100)
    title = forms.ChoiceField(
        label=pgettext_lazy("practitioner", "Title"),
        required=False,
        choices=_with_blank(Title.choices, _("any")),
    )
    institution_level = forms.ChoiceField(
        label=_("Institution level"),
        required=False,
        choices=_with_blank(InstitutionLevel.choices, _("any")),
    )
    service = forms.ChoiceField(
        label=_("Accepts"), required=False, choices=_with_blank(Service.choices, _("any"))
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _with_blank([(d.code, d.label) for d in departments()], _("any"))
