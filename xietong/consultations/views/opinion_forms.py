"""The opinion editor's forms: the structured content, the secret that signs it, and the
reason a signed opinion is corrected. The services validate; these only carry input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xietong.core.errors import ValidationFailed
from xietong.directory.pickers import institution_choices, institution_field

from ..models import Opinion
from ..services.opinions import CONTENT_FIELDS


class OpinionForm(forms.Form):
    diagnosis = forms.CharField(
        label=_("Diagnosis"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    recommendations = forms.CharField(
        label=_("Treatment recommendations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    referral_advised = forms.BooleanField(label=_("Referral advised"), required=False)
    # Any active institution of the network, searched as the expert types; the requesting
    # doctor's referral form then offers it when it is one of their partners.
    referral_to_institution = institution_field(
        label=_("Refer to"),
        required=False,
        help_text=_("Needed when referral is advised: the hospital the patient should go to."),
    )
    referral_to = forms.CharField(
        label=_("Department or note"),
        required=False,
        max_length=200,
        help_text=_("The department or ward there, or what the receiving side should know."),
    )
    follow_up = forms.CharField(
        label=_("Follow-up"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    password = forms.CharField(
        label=_("Your password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("Or a code from your authenticator app"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen: Any = self.data.get("referral_to_institution") or self.initial.get(
            "referral_to_institution"
        )
        if hasattr(chosen, "uuid"):  # an opinion's institution: its key is what is sent
            self.initial["referral_to_institution"] = str(chosen.uuid)
        self.fields["referral_to_institution"].widget.choices = institution_choices(chosen or "")

    def content(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in CONTENT_FIELDS}

    def secret(self) -> dict[str, str]:
        return {
            "password": self.cleaned_data.get("password") or "",
            "code": (self.cleaned_data.get("code") or "").strip(),
        }

    def add_service_errors(self, exc: ValidationFailed) -> None:
        for name, errors in exc.fields.items():
            for error in errors:
                self.add_error(name if name in self.fields else None, str(error))


class CorrectionForm(OpinionForm):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def initial_from(opinion: Opinion | None) -> dict[str, Any]:
    if opinion is None:
        return {}
    # The institution as an instance: the form sends its key and names it without a query.
    return {name: getattr(opinion, name) for name in CONTENT_FIELDS}
