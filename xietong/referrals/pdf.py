"""The referral slip (转诊单) as a printable PDF with Chinese fonts and a QR code that carries
the referral number, for the desk to scan at check-in."""

from __future__ import annotations

import segno
from django.template.loader import render_to_string
from django.utils import translation

from .models import Referral


def qr_svg_data_uri(text: str) -> str:
    return str(segno.make(text, error="m").svg_data_uri(scale=4, border=2))


def referral_slip_pdf(*, referral: Referral) -> bytes:
    from weasyprint import HTML  # imported late: loading it costs a second

    r = referral
    with translation.override("zh-hans"):
        html = render_to_string(
            "referrals/slip_pdf.html",
            {
                "r": r,
                "patient": r.patient,
                "qr": qr_svg_data_uri(r.number),
                "doctor": r.sending_user.get_full_name() or r.sending_user.username,
            },
        )
    return bytes(HTML(string=html).write_pdf())
