from __future__ import annotations

from typing import Any

from django import forms


class DateInput(forms.DateInput):
    """A date typed or picked from the calendar (flatpickr, in the reader's language, from
    core/xietong.js). It reads and sends ISO dates whatever the language: the localised
    format (2026/05/01 in Chinese) is not what the server parses back."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {
            "data-picker": "date",
            "placeholder": "YYYY-MM-DD",
            "autocomplete": "off",
            "inputmode": "numeric",
            "pattern": r"\d{4}-\d{2}-\d{2}",
        }
        super().__init__({**defaults, **(attrs or {})}, format="%Y-%m-%d")
