"""Work a server process does once, when it starts, so that the first people who need it
do not wait for it:
- importing the URLconf (every view, form and API schema) costs about 0.6 s of CPU, and
  building reverse()'s table about 0.3 s per language, which the first request of each
  process used to pay while the requests behind it queued;
- loading WeasyPrint, Pango and the CJK font costs about 1.5 s, which the first referral
  slip or opinion PDF of each process used to pay (bench/pdf.py).

gunicorn loads the application once in its master process (`preload_app`,
config/gunicorn.conf.py) and forks the web processes from it, so they start warm and share
those pages of memory; nothing here opens a database connection, which a fork must not
share."""

from __future__ import annotations

import logging
import os
import threading

from django.conf import settings
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)


def _routes_load() -> None:
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - the import is the point
    # reverse() builds its table once per language (the routes are translated), about 0.3 s
    # of CPU each: built here, not by the first answer that carries a link (a STOW-RS answer
    # names every instance it stored).
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            resolver.reverse_dict  # noqa: B018 - building it is the point


def _pdf_engine_load() -> None:
    try:
        from weasyprint import HTML

        HTML(string="<p style=\"font-family: 'Noto Sans CJK SC'\">协同</p>").write_pdf()
    except Exception:  # a server without WeasyPrint's libraries still serves everything else
        logger.exception("the PDF engine could not be loaded ahead of time")


def database_pool_open() -> None:
    """Opens this process's pool of database connections and waits for its first ones
    (`XT_DB_POOL_MIN`), so that the first requests find them made. Nothing without a pool."""
    from django.db import connections

    pool = getattr(connections["default"], "pool", None)
    if pool is not None:
        pool.open(wait=True, timeout=30)


def server_warm(*, pdf_in_background: bool) -> None:
    """Imports the routes before returning. The PDF engine loads before returning too, or
    in a thread of its own while requests are served (`pdf_in_background`, for a single
    process that starts serving at once). XT_WARMUP=0 turns it all off (a process that
    never serves a page)."""
    if os.environ.get("XT_WARMUP", "1") == "0":
        return
    _routes_load()
    if pdf_in_background:
        threading.Thread(target=_pdf_engine_load, name="xt-warmup", daemon=True).start()
    else:
        _pdf_engine_load()
