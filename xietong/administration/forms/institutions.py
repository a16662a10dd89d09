"""The institutions' forms: the list's filters and an institution's particulars. The
directory's services check what they accept again (directory/services/institutions.py);
their refusals land beside these fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xietong.core.pages import ServiceForm
from xietong.directory.choices import InstitutionGrade, InstitutionKind, InstitutionLevel

from .fields import InstitutionField, RegionField
from .filters import ListFilterForm

ACTIVE_CHOICES = [("", _("in use or not")), ("yes", _("in use")), ("no", _("out of use"))]


def active_filter(value: str | None) -> bool | None:
    """The state a list's "in use" filter asks for (None: either)."""
    return {"yes": True, "no": False}.get(value or "")


class InstitutionFilterForm(ListFilterForm):
    columns = {"q": "col-12 col-lg-4"}
    column_default = "col-6 col-sm-4 col-lg-2"

    q = forms.CharField(
        label=_("Name or code"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("any level")), *InstitutionLevel.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("any kind")), *InstitutionKind.choices]
    )
    active = forms.ChoiceField(label=_("In use"), required=False, choices=ACTIVE_CHOICES)

    def filters(self) -> dict[str, Any]:
        """The valid filters (a wrong one is said beside it and left out)."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "q": data.get("q") or None,
            "level": data.get("level") or None,
            "kind": data.get("kind") or None,
            "active": active_filter(data.get("active")),
        }


class InstitutionForm(ServiceForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The institution's registration code; unique in the network."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    name = forms.CharField(label=pgettext_lazy("institution", "Name"), max_length=200)
    short_name = forms.CharField(
        label=_("Short name"),
        max_length=60,
        required=False,
        help_text=_("Where the full name is too long: lists, slips, the phone's screen."),
    )
    level = forms.ChoiceField(label=_("Level"), choices=[("", "—"), *InstitutionLevel.choices])
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *InstitutionKind.choices])
    # "Ungraded" is the blank choice.
    grade = forms.ChoiceField(label=_("Grade"), required=False, choices=InstitutionGrade.choices)
    region = RegionField(
        help_text=_("The province, a city or a county; type to search by either name.")
    )
    upline = InstitutionField(
        label=_("Upline"),
        required=False,
        help_text=_("The institution it refers patients up to and reports to; type to search."),
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    def options_set(self, *, region: Any | None) -> None:
        """The region and upline selects' options (call after validating a bound form);
        `region`: the institution's stored region, offered even when it lies deeper."""
        data = getattr(self, "cleaned_data", {})
        chosen = data.get("region") if self.is_bound else self.initial.get("region")
        field = self.fields["region"]
        assert isinstance(field, RegionField)
        field.options_set(including=chosen or region)
        upline = self.fields["upline"]
        assert isinstance(upline, InstitutionField)
        picked = data.get("upline") if self.is_bound else self.initial.get("upline")
        upline.options_set(selected=picked)


def institution_initial(institution: Any) -> dict[str, Any]:
    """An institution's particulars as the form shows them."""
    return {
        "code": institution.code,
        "name": institution.name,
        "short_name": institution.short_name,
        "level": institution.level,
        "kind": institution.kind,
        "grade": institution.grade,
        "region": institution.region,
        "upline": institution.upline,
        "address": institution.address,
        "phone": institution.phone,
    }
