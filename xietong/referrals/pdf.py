"""The referral slip (转诊单) as a printable PDF with Chinese fonts and a QR code that carries
the referral number, for the desk to scan at check-in."""

from __future__ import annotations

from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils import translation

from .models import Referral


def qr_svg_data_uri(text: str) -> str:
    return str(segno.make(text, error="m").svg_data_uri(scale=4, border=2))


def signed_name(user: Any) -> str:
    """A person as a slip names them: the practitioner's name and professional title
    (王建国 主治医师), else the account's display name; never the name they sign in with
    unless there is nothing else."""
    practitioner = getattr(user, "practitioner", None)
    if practitioner is not None:
        return f"{practitioner.name} {practitioner.get_title_display()}".strip()
    return str(user.display_name or user.username)


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
                "doctor": signed_name(r.sending_user),
            },
        )
    return bytes(HTML(string=html).write_pdf())
