"""Work a server process does once, when it starts, so that the first person who needs it
does not wait for it: loading WeasyPrint, Pango and the CJK font costs about 1.5 s, which the
first referral slip or opinion PDF of each process used to pay (bench/pdf.py)."""

from __future__ import annotations

import logging
import os
import threading

logger = logging.getLogger(__name__)


def _pdf_engine_load() -> None:
    try:
        from weasyprint import HTML

        HTML(string="<p style=\"font-family: 'Noto Sans CJK SC'\">协同</p>").write_pdf()
    except Exception:  # a server without WeasyPrint's libraries still serves everything else
        logger.exception("the PDF engine could not be loaded ahead of time")


def server_warm() -> None:
    """Starts loading in a thread of its own; requests are served meanwhile. XT_WARMUP=0
    turns it off (a process that never makes a PDF)."""
    if os.environ.get("XT_WARMUP", "1") == "0":
        return
    threading.Thread(target=_pdf_engine_load, name="xt-warmup", daemon=True).start()
