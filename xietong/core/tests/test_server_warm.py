"""The server warms up before gunicorn forks its web processes (preload_app): what it loads
must be safe to share across a fork, and a forked process must still make PDFs."""

from __future__ import annotations

import os
import sys

import pytest
from django.db.backends.signals import connection_created

from xietong.core.warmup import server_warm


@pytest.mark.skipif(sys.platform == "win32", reason="gunicorn forks; so does this test")
def test_the_warm_up_opens_no_database_connection_and_a_forked_process_still_makes_pdfs() -> None:
    opened: list[object] = []

    def count(sender: object, connection: object, **kwargs: object) -> None:
        opened.append(connection)

    connection_created.connect(count)
    try:
        server_warm(pdf_in_background=False)
    finally:
        connection_created.disconnect(count)
    # A connection opened before the fork would be shared by every web process.
    assert opened == []

    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through its exit status
        status = 1
        try:
            from weasyprint import HTML

            page = "<p style=\"font-family: 'Noto Sans CJK SC'\">会诊意见</p>"
            pdf = HTML(string=page).write_pdf()
            status = 0 if pdf and pdf.startswith(b"%PDF") and len(pdf) > 1000 else 2
        finally:
            os._exit(status)
    _pid, waited = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(waited) == 0
