"""Form fields that pick from the directory as the user types (core/xietong.js searches
views_options), for other apps' forms. The select carries only the chosen value as its
option, so a page re-rendered after an error shows what was chosen, and a value the list
does not hold stays what was sent: the services decide what is valid."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.urls import reverse_lazy

from . import selectors
from .views_options import diagnosis_option_text, institution_option_text, region_option_text

EMPTY = ("", "—")


def _select(url_name: str, **attrs: Any) -> forms.Select:
    return forms.Select(
        attrs={"data-search": True, "data-search-url": reverse_lazy(url_name), **attrs}
    )


def diagnosis_code_field(*, label: Any, required: bool, fill: str = "") -> forms.CharField:
    """An ICD-10 code picked from the code list. `fill`: the name of a field of the same
    form that takes the chosen code's title when it is empty (the diagnosis in words)."""
    attrs = {"data-fill-target": fill} if fill else {}
    return forms.CharField(
        label=label,
        required=required,
        max_length=16,
        widget=_select("directory:options_diagnoses", **attrs),
    )


def diagnosis_code_choices(code: str) -> list[tuple[str, str]]:
    """The picker's options for the value `code`: its entry in the list or, for a code the
    list lacks (a well-shaped one the services accept), the code itself."""
    code = (code or "").strip()
    if not code:
        return [EMPTY]
    found = selectors.diagnosis_code_get(code=code)
    return [EMPTY, (code, diagnosis_option_text(found) if found else code)]


def region_code_field(*, label: Any, required: bool, help_text: Any = "") -> forms.CharField:
    """A region (its GB/T 2260 code) picked by name or code."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=12,
        help_text=help_text,
        widget=_select("directory:options_regions"),
    )


def region_code_choices(code: str) -> list[tuple[str, str]]:
    code = (code or "").strip()
    if not code:
        return [EMPTY]
    found = selectors.region_by_code(code=code)
    return [EMPTY, (code, region_option_text(found) if found else code)]


def institution_field(*, label: Any, required: bool, help_text: Any = "") -> forms.CharField:
    """An active institution (its key) picked by name, short name or code."""
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=_select("directory:options_institutions"),
    )


def institution_choices(key: Any) -> list[tuple[str, str]]:
    """The picker's options for the institution `key` (a uuid or an Institution)."""
    if hasattr(key, "uuid"):
        return [EMPTY, (str(key.uuid), institution_option_text(key))]
    try:
        wanted = uuid.UUID(str(key))
    except ValueError:
        return [EMPTY]
    found = selectors.institution_by_uuid(uuid=wanted)
    return [EMPTY, (str(wanted), institution_option_text(found))] if found else [EMPTY]
