from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xietong.core.pages import ServiceForm
from xietong.core.widgets import DateInput

from .models import DocumentKind

ACCEPT = "application/pdf,image/jpeg,image/png"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; the service judges each one's content."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        attrs = {"accept": ACCEPT, "capture": "environment", "multiple": True}
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)]


class DocumentUploadForm(ServiceForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=pgettext_lazy("document", "Title"), max_length=120)
    clinical_date = forms.DateField(
        label=_("Date of the examination or visit"), required=False, widget=DateInput()
    )
    file = MultipleFileField(
        label=_("Files"),
        help_text=_("PDF, JPEG or PNG. On a phone you can take a photo of a paper record."),
    )
    source = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput())


class DocumentReplaceForm(ServiceForm):
    title = forms.CharField(label=pgettext_lazy("document", "Title"), max_length=120)
    file = forms.FileField(
        label=_("Corrected file"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT, "capture": "environment"}),
    )


class DocumentInErrorForm(ServiceForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)
