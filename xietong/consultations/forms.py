"""The request-side web forms. They parse what the browser sends; the rules (what a
submission needs, who may act) live in the services, whose field errors go back on the form."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from xietong.core.pages import ServiceForm
from xietong.directory.models import Expert, InstitutionLevel, Title
from xietong.directory.pickers import diagnosis_code_choices, diagnosis_code_field
from xietong.directory.selectors import departments
from xietong.directory.views_options import expert_option_text
from xietong.records.forms import MultipleFileField
from xietong.records.models import DocumentKind

from .models import Kind, Mode, PreferredTarget, Status, Urgency


def _department_choices() -> list[tuple[str, str]]:
    # Named as clinicians name them; the standard code is the value sent, not what is read.
    return [("", "—"), *((d.code, d.label) for d in departments())]


def _expert_choice(key: str) -> list[tuple[str, str]]:
    """The chosen expert as the picker's one option; the rest of the library is searched
    as the doctor types (directory:options_experts)."""
    if not _is_uuid(key):
        return []
    expert = (
        Expert.objects.filter(practitioner__uuid=key, active=True)
        .select_related("practitioner__institution", "practitioner__department")
        .first()
    )
    if expert is None:
        return []
    return [(str(expert.practitioner.uuid), expert_option_text(expert))]


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _text(label: Any, *, rows: int = 3, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class RequestForm(ServiceForm):
    """Every field is optional here: a draft may be incomplete, and submitting lists every
    missing part at once (services.missing_parts)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    reason = _text(_("Reason for the consultation"))
    purpose = _text(pgettext_lazy("consultation", "Purpose"), rows=2)
    wanted_department = forms.ChoiceField(label=_("Specialty wanted"), required=False)
    wanted_title = forms.ChoiceField(
        label=_("Professional title wanted"), required=False, choices=[("", "—"), *Title.choices]
    )
    preferred_target = forms.ChoiceField(
        label=_("Preferred"), choices=PreferredTarget.choices, widget=forms.RadioSelect
    )
    preferred_expert = forms.ChoiceField(
        label=_("Preferred expert"),
        required=False,
        help_text=_("Type part of the expert's name, hospital or department."),
        widget=forms.Select(
            attrs={
                "data-search": True,
                # Experts who take consultations, searched in the whole library.
                "data-search-url": format_lazy(
                    "{}?service=consultation", reverse_lazy("directory:options_experts")
                ),
            }
        ),
    )
    preferred_department = forms.ChoiceField(label=_("Preferred department"), required=False)
    preferred_times = _text(
        _("Preferred times"), rows=2, help_text=_("One per line, e.g. tomorrow morning.")
    )
    chief_complaint = _text(_("Chief complaint"), rows=2)
    present_illness = _text(_("Present illness"), rows=4)
    history = _text(pgettext_lazy("consultation", "History"))
    examination = _text(pgettext_lazy("consultation", "Examination"))
    # Picked from the ICD-10 list by code or words; the chosen title fills the text below
    # when that is empty.
    diagnosis_code = diagnosis_code_field(
        label=_("Preliminary diagnosis (ICD-10 code)"), required=False, fill="diagnosis_text"
    )
    diagnosis_text = forms.CharField(
        label=_("Preliminary diagnosis"), required=False, max_length=200
    )
    current_treatment = _text(_("Current treatment"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        department_choices = _department_choices()
        self.fields["wanted_department"].choices = department_choices  # type: ignore[attr-defined]
        self.fields["preferred_department"].choices = department_choices  # type: ignore[attr-defined]
        chosen = self.data.get("preferred_expert") or self.initial.get("preferred_expert")
        self.fields["preferred_expert"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *_expert_choice(chosen or ""),
        ]
        code = self.data.get("diagnosis_code") or self.initial.get("diagnosis_code")
        self.fields["diagnosis_code"].widget.choices = diagnosis_code_choices(code or "")

    def values(self) -> dict[str, Any]:
        """What to hand to consultation_create / consultation_update."""
        data = dict(self.cleaned_data)
        data["preferred_times"] = [
            line.strip() for line in data.get("preferred_times", "").splitlines() if line.strip()
        ]
        return data


def request_initial(consultation: Any) -> dict[str, Any]:
    """The form's values from a saved consultation."""
    c = consultation
    return {
        "kind": c.kind,
        "mode": c.mode,
        "urgency": c.urgency,
        "reason": c.reason,
        "purpose": c.purpose,
        "wanted_department": c.wanted_department.code if c.wanted_department else "",
        "wanted_title": c.wanted_title,
        "preferred_target": c.preferred_target,
        "preferred_expert": str(c.preferred_expert.practitioner.uuid) if c.preferred_expert else "",
        "preferred_department": c.preferred_department.code if c.preferred_department else "",
        "preferred_times": "\n".join(c.preferred_times or []),
        "chief_complaint": c.chief_complaint,
        "present_illness": c.present_illness,
        "history": c.history,
        "examination": c.examination,
        "diagnosis_code": c.diagnosis_code,
        "diagnosis_text": c.diagnosis_text,
        "current_treatment": c.current_treatment,
    }


class StudyCheckboxes(forms.CheckboxSelectMultiple):
    """Each study's box carries its Study Instance UID: the browser's upload of studies
    (imaging/upload.js) ticks the study it has just sent when it appears here."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.uids: dict[str, str] = {}

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        uid = self.uids.get(str(option["value"]))
        if uid:
            option["attrs"] = {**option["attrs"], "data-study-uid": uid}
        return option


class AttachForm(forms.Form):
    """New files to upload (records app) and existing documents of the patient to attach."""

    upload = MultipleFileField(
        label=_("Upload records"),
        required=False,
        help_text=_("PDF, JPEG or PNG. On a phone you can take a photo of a paper record."),
    )
    files_kind = forms.ChoiceField(
        label=_("Kind of record"),
        required=False,
        choices=DocumentKind.choices,
        initial=DocumentKind.DOCUMENT,
    )
    files_title = forms.CharField(
        label=_("Title of the uploaded records"), required=False, max_length=100
    )
    existing = forms.MultipleChoiceField(
        label=_("Attach documents already on file"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    studies = forms.MultipleChoiceField(
        label=_("Imaging studies for the experts to read"),
        required=False,
        widget=StudyCheckboxes,
        help_text=_("From the patient's imaging archive; the experts open them in the viewer."),
    )

    def __init__(
        self,
        *args: Any,
        documents: list[Any] | None = None,
        studies: list[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["existing"].choices = [  # type: ignore[attr-defined]
            (str(d.uuid), f"{d.title} · {d.get_kind_display()} · {d.clinical_date or ''}")
            for d in documents or []
        ]
        self.fields["studies"].choices = [  # type: ignore[attr-defined]
            (str(s.uuid), study_label(s)) for s in studies or []
        ]
        self.fields["studies"].widget.uids = {
            str(s.uuid): s.study_instance_uid for s in studies or []
        }


def study_label(study: Any) -> str:
    """A study as a requester picks it: date, modalities, description, how many images."""
    d = study.study_date
    date = f"{d[:4]}-{d[4:6]}-{d[6:8]}" if len(d) == 8 and d.isdigit() else d
    count = ngettext("%(n)d image", "%(n)d images", study.instance_count) % {
        "n": study.instance_count
    }
    parts = [date, " ".join(study.modality_list), study.study_description, count]
    return " · ".join(p for p in parts if p)


class ListFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("any status")), *Status.choices]
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), required=False, choices=[("", _("any urgency")), *Urgency.choices]
    )
    q = forms.CharField(
        label=_("Patient name or number"),
        required=False,
        max_length=60,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "placeholder": _("Patient name or number"),
            }
        ),
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class CommentForm(ServiceForm):
    comment = forms.CharField(
        label=_("What is missing"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReasonForm(ServiceForm):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ExpertFilterForm(forms.Form):
    department = forms.ChoiceField(label=_("Specialty"), required=False)
    specialty = forms.CharField(
        label=_("Special interest"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("Special interest")}),
    )
    title = forms.ChoiceField(
        label=_("Professional title"),
        required=False,
        choices=[("", _("any title")), *Title.choices],
    )
    institution_level = forms.ChoiceField(
        label=_("Institution level"),
        required=False,
        choices=[("", _("any institution level")), *InstitutionLevel.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [  # type: ignore[attr-defined]
            ("", _("any specialty")),
            *_department_choices()[1:],
        ]


class ScheduleForm(ServiceForm):
    slot = forms.UUIDField(label=_("Time"), required=False)
    room = forms.CharField(label=_("Room"), required=False, max_length=80)
