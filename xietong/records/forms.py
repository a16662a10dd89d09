from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xietong.core.errors import ValidationFailed
from xietong.core.pages import ServiceForm
from xietong.core.templatetags.xt_forms import errors_summary
from xietong.core.widgets import DateInput
from xietong.patients.validation import interpolate

from .models import DocumentKind
from .services import TITLE_MAX, DocumentFile

ACCEPT = "application/pdf,image/jpeg,image/png"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (the consultation request's attachments); the service
    judges each one's content."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        attrs = {"accept": ACCEPT, "capture": "environment", "multiple": True}
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)]


MAX_FILES = 20  # files filed together in one upload
ROWS_SHOWN = 3  # empty rows a page without JavaScript offers


class DocumentRowForm(forms.Form):
    """One file of an upload, with its own title and date. A row left empty is skipped; the
    service judges the others (a title without its file among them)."""

    file = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT, "capture": "environment"}),
    )
    title = forms.CharField(
        label=pgettext_lazy("document", "Title"), required=False, max_length=TITLE_MAX
    )
    clinical_date = forms.DateField(
        label=_("Date of the examination or visit"), required=False, widget=DateInput()
    )

    def has_changed(self) -> bool:
        # A row counts once it has a file or a title: the date it came with is not enough.
        title = self.data.get(self.add_prefix("title")) or ""
        return bool(self.files.get(self.add_prefix("file")) or title.strip())


DocumentRowFormSet = forms.formset_factory(
    DocumentRowForm,
    extra=ROWS_SHOWN,
    max_num=MAX_FILES,
    absolute_max=MAX_FILES,
    validate_max=True,
)


class DocumentUploadForm(ServiceForm):
    """Files to add to a patient's record: their kind, and a row for each file with its own
    title and date (`rows`, a formset; the page adds rows as files are chosen)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    source = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput())

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        *,
        clinical_date: dt.date | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, files, **kwargs)
        row_initial = {"clinical_date": clinical_date} if clinical_date else {}
        self.rows = DocumentRowFormSet(
            data, files, prefix="doc", form_kwargs={"initial": row_initial}
        )
        self._row_of_item: list[int] = []

    def is_valid(self) -> bool:
        valid = super().is_valid()
        rows_valid = self.rows.is_valid()
        if valid and rows_valid and not self.items():
            self.add_error(None, _("Choose at least one file."))
            return False
        return valid and rows_valid

    def items(self) -> list[DocumentFile]:
        """The rows with a file, in order, as the service takes them."""
        chosen: list[DocumentFile] = []
        self._row_of_item = []
        for index, row in enumerate(self.rows.forms):
            data = getattr(row, "cleaned_data", None) or {}
            if not data or not row.has_changed():
                continue  # a row left empty; one with a title but no file is the service's
            chosen.append(
                DocumentFile(
                    file=data.get("file"),
                    title=data.get("title") or "",
                    clinical_date=data.get("clinical_date"),
                )
            )
            self._row_of_item.append(index)
        return chosen

    def add_service_errors(self, exc: ValidationFailed) -> None:
        """An item's refusal ("items.1.title") beside its row's field; the rest on the form."""
        rest: dict[str, list[Any]] = {}
        for name, messages in exc.fields.items():
            parts = name.split(".")
            if len(parts) == 3 and parts[0] == "items" and parts[1].isdigit():
                row = self.rows.forms[self._row_of_item[int(parts[1])]]
                field = parts[2] if parts[2] in row.fields else None
                for message in messages:
                    row.add_error(field, str(message))
            else:
                rest[name] = list(messages)
        if rest:
            super().add_service_errors(ValidationFailed(rest, exc.message))

    @property
    def has_errors(self) -> bool:
        return bool(
            self.errors or self.rows.non_form_errors() or any(row.errors for row in self.rows.forms)
        )

    @property
    def errors_summary(self) -> list[tuple[str, str, str]]:
        """Every problem of the batch and its rows, each row's named by its number, for the
        summary above the form (core/components/form_errors.html)."""
        summary = errors_summary(self)
        summary.extend(("", str(message), "") for message in self.rows.non_form_errors())
        for number, row in enumerate(self.rows.forms, start=1):
            name = interpolate(_("File %(n)d"), n=number)
            summary.extend(
                (f"{name} · {label}" if label else name, message, target)
                for label, message, target in errors_summary(row)
            )
        return summary


class DocumentReplaceForm(ServiceForm):
    title = forms.CharField(label=pgettext_lazy("document", "Title"), max_length=120)
    file = forms.FileField(
        label=_("Corrected file"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT, "capture": "environment"}),
    )


class DocumentInErrorForm(ServiceForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)
