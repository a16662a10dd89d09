"""The filters above an administration list: one layout for every list page
(templates/administration/_filter_form.html), each form saying how wide its fields are."""

from __future__ import annotations

from typing import ClassVar

from django import forms
from django.forms.boundfield import BoundField


class ListFilterForm(forms.Form):
    # Bootstrap grid columns per field name; a field not named takes the default.
    columns: ClassVar[dict[str, str]] = {}
    column_default: ClassVar[str] = "col-sm-6 col-lg-4"
    # A list filtered by choices only (no search box) reloads on a change alone.
    searches: ClassVar[bool] = True

    def placed(self) -> list[tuple[BoundField, str]]:
        return [(field, self.columns.get(field.name, self.column_default)) for field in self]
