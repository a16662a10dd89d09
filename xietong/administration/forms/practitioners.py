"""The practitioners' forms: the list's filters, and a practitioner with their profile in
the expert library. The directory's services check what they accept again
(directory/services/practitioners.py); their refusals land beside these fields."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xietong.core.pages import ServiceForm
from xietong.directory import selectors as directory
from xietong.directory.choices import PRACTITIONER_SEXES, Service, Title
from xietong.directory.services import ExpertProfile
from xietong.directory.services.practitioners import PRACTISING_SINCE_EARLIEST

from .fields import InstitutionField
from .filters import ListFilterForm


class PractitionerFilterForm(ListFilterForm):
    q = forms.CharField(
        label=_("Name or institution"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    institution = InstitutionField(required=False)

    def __init__(self, *args: Any, pick_institution: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not pick_institution:  # an institution's administrator sees their own
            del self.fields["institution"]


class PractitionerForm(ServiceForm):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=60)
    sex = forms.ChoiceField(label=_("Sex"), choices=PRACTITIONER_SEXES, widget=forms.RadioSelect)
    department = forms.ChoiceField(label=_("Department"), required=False)
    title = forms.ChoiceField(
        label=pgettext_lazy("practitioner", "Title"), choices=[("", "—"), *Title.choices]
    )
    # The years allowed are the service's to say (beside the field, with the other errors).
    practising_since = forms.IntegerField(
        label=_("Practising since (year)"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": PRACTISING_SINCE_EARLIEST}),
    )
    specialties = forms.CharField(
        label=_("Specialties"),
        max_length=300,
        required=False,
        help_text=_("What requesters search the expert library for, e.g. 脑血管病、癫痫."),
    )
    licence_number = forms.CharField(label=_("Licence number"), max_length=40, required=False)
    accepting = forms.BooleanField(
        label=_("Accepting requests"),
        required=False,
        help_text=_(
            "Switched off, the expert keeps the profile but the library no longer offers them."
        ),
    )
    accepts = forms.MultipleChoiceField(
        label=_("Accepts"),
        required=False,
        choices=Service.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    bio = forms.CharField(
        label=pgettext_lazy("expert", "Profile"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What requesters read about the expert in the library."),
    )

    def __init__(self, *args: Any, institution: Any | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fixed_institution = institution
        if institution is None:
            self.fields["institution"] = InstitutionField()
            self.order_fields(["name", "sex", "institution"])
        department = self.fields["department"]
        assert isinstance(department, forms.ChoiceField)
        department.choices = [("", "—"), *[(d.code, d.label) for d in directory.departments()]]
        since = self.fields["practising_since"]
        assert isinstance(since, forms.IntegerField)
        since.widget.attrs["max"] = datetime.date.today().year

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.fixed_institution is not None:
            data["institution"] = self.fixed_institution
        return data

    def service_values(self) -> dict[str, Any]:
        """The practitioner's values as the services take them (after is_valid())."""
        data = self.cleaned_data
        code = data.get("department") or ""
        return {
            "name": data["name"],
            "sex": data["sex"],
            "institution": data.get("institution"),
            "department": directory.department_by_code(code=code) if code else None,
            "title": data["title"],
            "practising_since": data["practising_since"],
            "specialties": data["specialties"],
            "licence_number": data["licence_number"],
        }

    def expert_profile(self) -> ExpertProfile:
        data = self.cleaned_data
        return ExpertProfile(
            active=bool(data.get("accepting")),
            accepts=tuple(data.get("accepts") or ()),
            bio=data.get("bio") or "",
        )


def practitioner_initial(practitioner: Any) -> dict[str, Any]:
    """A practitioner (and their profile) as the form shows them."""
    expert = getattr(practitioner, "expert", None)
    return {
        "name": practitioner.name,
        "sex": practitioner.sex,
        "institution": practitioner.institution,
        "department": practitioner.department.code if practitioner.department else "",
        "title": practitioner.title,
        "practising_since": practitioner.practising_since,
        "specialties": practitioner.specialties,
        "licence_number": practitioner.licence_number,
        "accepting": expert.active if expert else False,
        "accepts": list(expert.accepts) if expert else [],
        "bio": expert.bio if expert else "",
    }
