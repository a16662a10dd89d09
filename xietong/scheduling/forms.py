from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xietong.core.widgets import DateInput
from xietong.directory.models import Department, Practitioner

from .models import ExaminationType, ExceptionKind, Purpose, Weekday


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class ScheduleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False
    )
    practitioner = forms.ModelChoiceField(
        label=_("Practitioner (expert)"), queryset=Practitioner.objects.none(), required=False
    )
    examination_type = forms.ChoiceField(
        label=_("Examination type"), choices=[("", "—"), *ExaminationType.choices], required=False
    )

    def __init__(self, *args: Any, institution_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["practitioner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Practitioner.objects.filter(institution_id=institution_id or 0)


# The weekly rules are rows of a table: small inputs.
SMALL = {"class": "form-control-sm"}


class RuleForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("Weekday"),
        choices=Weekday.choices,
        coerce=int,
        widget=forms.Select(attrs={"class": "form-select-sm", "data-plain": True}),
    )
    start_time = forms.TimeField(label=_("Start"), widget=TimeInput(SMALL))
    end_time = forms.TimeField(label=_("End"), widget=TimeInput(SMALL))
    slot_minutes = forms.IntegerField(
        label=_("Slot minutes"),
        min_value=5,
        max_value=480,
        widget=forms.NumberInput(SMALL),
    )
    capacity = forms.IntegerField(
        label=_("Capacity per slot"),
        min_value=1,
        max_value=500,
        widget=forms.NumberInput(SMALL),
    )
    referral_reserved = forms.IntegerField(
        label=_("Reserved for referrals"),
        min_value=0,
        initial=0,
        widget=forms.NumberInput(SMALL),
    )


RuleFormSet = forms.formset_factory(RuleForm, extra=2, can_delete=True)


class ExceptionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Kind"), choices=ExceptionKind.choices)
    start_time = forms.TimeField(label=_("Start"), widget=TimeInput(), required=False)
    end_time = forms.TimeField(label=_("End"), widget=TimeInput(), required=False)
    slot_minutes = forms.IntegerField(label=_("Slot minutes"), required=False)
    capacity = forms.IntegerField(label=_("Capacity per slot"), required=False)
    referral_reserved = forms.IntegerField(
        label=_("Reserved for referrals"), required=False, initial=0
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class GenerateForm(forms.Form):
    start_date = forms.DateField(label=_("From"), widget=DateInput())
    end_date = forms.DateField(label=_("To"), widget=DateInput())


class UtilisationForm(forms.Form):
    start = forms.DateField(label=_("From week of"), widget=DateInput(), required=False)
    weeks = forms.IntegerField(label=_("Weeks"), min_value=1, max_value=26, required=False)
