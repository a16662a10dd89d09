"""The web forms. They parse what the browser sends; the rules live in the services, whose
field errors are put back on the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xietong.core.pages import ServiceForm
from xietong.core.widgets import DateInput
from xietong.directory.pickers import region_code_choices, region_code_field

from .models import ConsentKind, ConsentRelationship, IdentifierSystem, Sex


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Resident ID / name / phone"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "autofocus": True}),
    )
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput)


class PatientRegisterForm(ServiceForm):
    # Fields are optional here so that the service reports every missing or wrong value
    # at once, in its own words; browsers still get the "required" hint.
    name = forms.CharField(
        label=pgettext_lazy("person", "Name"),
        required=False,
        widget=forms.TextInput(attrs={"required": True}),
    )
    resident_id = forms.CharField(
        label=_("Resident ID"),
        required=False,
        help_text=_("18 characters. Birth date and sex are taken from it."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", "—"), *Sex.choices])
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput)
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    # Found by name or code as the clerk types; the code (GB/T 2260) is what is sent.
    address_region = region_code_field(
        label=_("Address region"),
        required=False,
        help_text=_("Type part of the name or the code, e.g. 中原区 or 410102."),
    )
    address = forms.CharField(label=_("Address"), required=False)
    ethnicity = forms.CharField(label=_("Ethnicity"), required=False)
    mrn = forms.CharField(
        label=_("Medical record number"),
        required=False,
        help_text=_("The number your institution gave the patient, if any."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        code = self.data.get("address_region") or self.initial.get("address_region")
        self.fields["address_region"].widget.choices = region_code_choices(code or "")


class IdentifierAddForm(ServiceForm):
    system = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (IdentifierSystem.MRN.value, IdentifierSystem.MRN.label),
            (IdentifierSystem.INSURANCE.value, IdentifierSystem.INSURANCE.label),
        ],
    )
    value = forms.CharField(label=_("Number"), required=False)


class ConsentForm(ServiceForm):
    kind = forms.ChoiceField(label=_("Consent for"), choices=ConsentKind.choices)
    signed_on = forms.DateField(
        label=_("Signed on"), required=False, widget=DateInput(attrs={"required": True})
    )
    signed_by = forms.CharField(
        label=_("Signed by"), required=False, widget=forms.TextInput(attrs={"required": True})
    )
    relationship = forms.ChoiceField(
        label=_("Relationship to patient"), choices=ConsentRelationship.choices
    )
    scan = forms.FileField(
        label=_("Scanned form"),
        required=False,
        help_text=_("PDF, JPEG or PNG."),
        widget=forms.FileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png", "required": True}
        ),
    )
    note = forms.CharField(label=_("Note"), required=False)
