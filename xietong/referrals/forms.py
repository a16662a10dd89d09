"""The up-referral form and the small forms of the desk and doctors' actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xietong.core.pages import ServiceForm
from xietong.core.widgets import DateInput
from xietong.directory.models import Institution
from xietong.directory.pickers import diagnosis_code_choices, diagnosis_code_field
from xietong.scheduling.models import ExaminationType

from .models import Kind, Outcome, Status, Urgency


class InstitutionChoiceField(forms.ModelChoiceField):
    """Institutions named as a doctor tells them apart: the name and the level."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.get_level_display()}"


class ReferralForm(ServiceForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        help_text=_("An emergency goes by the green channel, without a slot."),
    )
    receiving_institution = InstitutionChoiceField(
        label=_("Refer to"),
        queryset=Institution.objects.none(),
        empty_label=_("Search or choose the institution"),
        # Searchable however few the partners are: the doctor types a part of the name.
        widget=forms.Select(attrs={"data-search": True}),
        help_text=_("Institutions your institution has a referral collaboration with."),
    )
    examination_type = forms.ChoiceField(
        # 检查项目 (what is examined), not a consultation's 检查结果 (what was found).
        label=pgettext_lazy("referral", "Examination"),
        choices=[("", "—"), *ExaminationType.choices],
        required=False,
    )
    slot = forms.CharField(label=_("Slot"), required=False, widget=forms.HiddenInput)
    # Picked from the ICD-10 list by code or words; the title fills the diagnosis if empty.
    diagnosis_code = diagnosis_code_field(
        label=_("Diagnosis (ICD-10)"), required=True, fill="diagnosis_text"
    )
    diagnosis_text = forms.CharField(label=_("Diagnosis"), max_length=200)
    reason = forms.CharField(
        label=_("Reason for referral"), widget=forms.Textarea(attrs={"rows": 3})
    )
    clinical_summary = forms.CharField(
        label=_("Clinical summary"), widget=forms.Textarea(attrs={"rows": 5})
    )
    shared_documents = forms.MultipleChoiceField(
        label=_("Records to share"), required=False, widget=forms.CheckboxSelectMultiple
    )
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the referral does not meet the referral criteria."),
    )

    def __init__(self, *args: Any, targets: Any, documents: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["receiving_institution"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = targets
        docs = self.fields["shared_documents"]
        assert isinstance(docs, forms.MultipleChoiceField)
        docs.choices = documents
        code = self.data.get("diagnosis_code") or self.initial.get("diagnosis_code")
        self.fields["diagnosis_code"].widget.choices = diagnosis_code_choices(code or "")


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, outcomes: Any = None, **kwargs: Any) -> None:
        """`outcomes`: the ones that close the referral from where it is (all without)."""
        super().__init__(*args, **kwargs)
        if outcomes is not None:
            field = self.fields["outcome"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(o.value, o.label) for o in outcomes]


class SummaryForm(forms.Form):
    discharge_diagnosis = forms.CharField(label=_("Discharge diagnosis"), max_length=200)
    summary = forms.CharField(
        label=_("Treatment summary"), widget=forms.Textarea(attrs={"rows": 4})
    )


class DownReferForm(forms.Form):
    down_institution = forms.ModelChoiceField(
        label=_("Refer back to"), queryset=Institution.objects.none()
    )
    instructions = forms.CharField(
        label=_("Rehabilitation instructions"), widget=forms.Textarea(attrs={"rows": 3})
    )
    medications = forms.CharField(
        label=_("Medications"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: name, dose, frequency."),
    )
    follow_up_dates = forms.CharField(
        label=_("Follow-up dates"),
        help_text=_("YYYY-MM-DD, separated by spaces or commas."),
    )

    def __init__(self, *args: Any, targets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["down_institution"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = targets

    def medication_rows(self) -> list[dict[str, str]]:
        rows = []
        for line in (self.cleaned_data.get("medications") or "").splitlines():
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if parts and parts[0]:
                rows.append(
                    {
                        "name": parts[0],
                        "dose": [*parts, "", ""][1],
                        "frequency": [*parts, "", "", ""][2],
                    }
                )
        return rows

    def dates(self) -> list[str]:
        raw = (self.cleaned_data.get("follow_up_dates") or "").replace("，", ",").replace(",", " ")
        return [d for d in raw.split() if d]


class FollowUpForm(forms.Form):
    follow_up = forms.IntegerField(widget=forms.HiddenInput)
    visited_on = forms.DateField(label=_("Visited on"), widget=DateInput(), required=False)
    note = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 2}))


class ReportForm(forms.Form):
    title = forms.CharField(label=_("Report title"), max_length=120)
    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(label=_("Report file (PDF, JPEG or PNG)"))


class ListFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Number or patient")}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("any status")), *Status.choices],
        required=False,
        # A dozen statuses are read at a glance: a plain list, not a search box.
        widget=forms.Select(attrs={"data-plain": True}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("any kind")), *Kind.choices], required=False
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=[("", _("any urgency")), *Urgency.choices], required=False
    )
