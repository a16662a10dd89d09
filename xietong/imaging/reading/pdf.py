"""The signed imaging report as a printable PDF with Chinese fonts (the machinery the
consultation opinion uses: a template rendered in Chinese, printed by WeasyPrint), and the
same page as a preview of a version not yet signed, watermarked on every page so that a
printed copy cannot pass for the report."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from ..labels import body_part_label
from .models import ImagingReport


def report_pdf(*, report: ImagingReport, preview: bool = False) -> bytes:
    from weasyprint import HTML  # imported late: loading it costs a second

    r = report.reading
    with translation.override("zh-hans"):
        html = render_to_string(
            "imaging/reading/report_pdf.html",
            {
                "r": r,
                "report": report,
                "preview": preview,
                "patient": r.patient,
                "study": r.study,
                "body_part": body_part_label(r.body_part) if r.body_part else "",
            },
        )
    return bytes(HTML(string=html).write_pdf())
