"""Fields the administration's forms share: an institution or a region picked from a
searchable select (core/xietong.js turns the select into a Tom Select)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xietong.core.errors import NotFound
from xietong.core.keys import uuid_or_none
from xietong.directory import selectors as directory
from xietong.directory.pickers import region_code_choices

Choices = list[tuple[str, str]]


class InstitutionField(forms.CharField):
    """An institution picked by its key from a searchable select whose options come from the
    directory as the user types."""

    widget = forms.Select

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Institution"))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        # An institution given as the initial value is shown selected by its key.
        return str(value.uuid) if hasattr(value, "uuid") else value

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        key = uuid_or_none(value)
        try:
            if key is None:
                raise NotFound()
            return directory.get_institution(uuid=key)
        except NotFound:
            raise forms.ValidationError(
                _("Select an institution from the list."), code="invalid_choice"
            ) from None

    def options_set(self, *, selected: Any) -> None:
        """The select offers the institution chosen; the directory's search finds the others
        as the user types (core/xietong.js)."""
        widget = self.widget
        assert isinstance(widget, forms.Select)
        widget.attrs.update(
            {"data-search": "", "data-search-url": reverse("directory:options_institutions")}
        )
        choices: Choices = [("", "—")]
        if selected is not None:
            choices.append((str(selected.uuid), selected.name))
        widget.choices = choices


def institution_options(form: forms.Form) -> None:
    """Each institution select of the form offers the institution chosen: the one sent
    (call after validating a bound form), else the initial one."""
    cleaned = getattr(form, "cleaned_data", {})
    for name, field in form.fields.items():
        if isinstance(field, InstitutionField):
            chosen = cleaned.get(name) if form.is_bound else form.initial.get(name)
            field.options_set(selected=chosen if hasattr(chosen, "uuid") else None)


class RegionField(forms.CharField):
    """A region picked by its code, searched by name or code as the user types
    (directory:options_regions), down to townships and villages. The select carries only
    the chosen region as its option."""

    widget = forms.Select

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Region"))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return value.code if hasattr(value, "code") else value

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        region = directory.region_by_code(code=str(value)[:12])
        if region is None:
            raise forms.ValidationError(_("Select a region from the list."), code="invalid_choice")
        return region

    def options_set(self, *, including: Any) -> None:
        widget = self.widget
        assert isinstance(widget, forms.Select)
        widget.attrs.update(
            {"data-search": "", "data-search-url": reverse("directory:options_regions")}
        )
        code = including.code if hasattr(including, "code") else str(including or "")
        widget.choices = region_code_choices(code)
