"""The signed opinion as a printable PDF with Chinese fonts."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from .models import Opinion


def opinion_pdf(*, opinion: Opinion) -> bytes:
    from weasyprint import HTML  # imported late: loading it costs a second

    c = opinion.consultation
    with translation.override("zh-hans"):
        html = render_to_string(
            "consultations/opinion_pdf.html",
            {
                "c": c,
                "opinion": opinion,
                "expert": opinion.expert.practitioner,
                "patient": c.patient,
            },
        )
    return bytes(HTML(string=html).write_pdf())
