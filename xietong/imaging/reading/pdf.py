"""The signed imaging report as a printable PDF with Chinese fonts (the machinery the
consultation opinion uses: a template rendered in Chinese, printed by WeasyPrint)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from ..labels import body_part_label
from .models import ImagingReport


def report_pdf(*, report: ImagingReport) -> bytes:
    from weasyprint import HTML  # imported late: loading it costs a second

    r = report.reading
    with translation.override("zh-hans"):
        html = render_to_string(
            "imaging/reading/report_pdf.html",
            {
                "r": r,
                "report": report,
                "patient": r.patient,
                "study": r.study,
                "body_part": body_part_label(r.body_part) if r.body_part else "",
            },
        )
    return bytes(HTML(string=html).write_pdf())
