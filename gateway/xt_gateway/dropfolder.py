"""The drop folder: CSV exports placed by systems that cannot speak HL7.

A system writes `name.csv.part` and renames it to `name.csv` when complete (or simply writes
`name.csv`: a file is only read once it has not changed for `settle_s` seconds). A file whose
rows are all good goes into the outbox, message by message, and moves to `done/`; a file with
a bad row moves to `rejected/` beside a `.errors.txt` that names the row and column, and
nothing of it is sent. Message ids carry the file's content hash, so the same file dropped
twice, or a crash between storing and moving, never sends anything twice.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from pathlib import Path

from .mapping.csvfiles import CsvError, decode, map_csv
from .outbox import Outbox, OutboxFull

log = logging.getLogger("xt_gateway.drop")


class DropFolder:
    def __init__(
        self,
        folder: Path,
        *,
        outbox: Outbox,
        institution: str,
        encoding: str | None = None,
        settle_s: float = 2.0,
    ) -> None:
        self.folder = folder
        self.outbox = outbox
        self.institution = institution
        self.encoding = encoding
        self.settle_s = settle_s
        for sub in ("", "done", "rejected"):
            (folder / sub).mkdir(parents=True, exist_ok=True)

    def run(self, stop: threading.Event, every_s: float = 5.0) -> None:
        while not stop.is_set():
            try:
                self.scan()
            except Exception:
                log.exception("drop folder scan failed")
            stop.wait(every_s)

    def scan(self) -> dict[str, int]:
        """Take every settled file once; {file name: messages stored} for what was taken."""
        taken = {}
        now = time.time()
        for path in sorted(self.folder.glob("*.csv"), key=lambda p: (p.stat().st_mtime, p.name)):
            if now - path.stat().st_mtime < self.settle_s:
                continue  # still being written
            try:
                taken[path.name] = self._take(path)
            except OutboxFull as exc:
                # Leave the file where it is: it is taken when there is room again.
                self.outbox.record_error(
                    f"磁盘空间不足,文件 {path.name} 暂不接收 / disk full: {exc}"
                )
                break
        return taken

    def _take(self, path: Path) -> int:
        data = path.read_bytes()
        file_id = hashlib.sha256(data).hexdigest()[:16]
        try:
            messages = map_csv(
                decode(data, self.encoding), institution=self.institution, file_id=file_id
            )
        except (CsvError, UnicodeDecodeError) as exc:
            self._reject(path, str(exc))
            return 0
        for m in messages:
            self.outbox.put(
                message_id=m.message_id,
                patient_key=m.patient_key,
                kind="CSV",
                raw=data if len(messages) == 1 else m.message_id.encode(),
                bundle=m.bundle,
            )
        path.replace(self.folder / "done" / f"{time.strftime('%Y%m%d%H%M%S')}-{path.name}")
        log.info("%s: %d messages stored", path.name, len(messages))
        return len(messages)

    def _reject(self, path: Path, reason: str) -> None:
        target = self.folder / "rejected" / f"{time.strftime('%Y%m%d%H%M%S')}-{path.name}"
        path.replace(target)
        target.with_suffix(".errors.txt").write_text(reason + "\n", encoding="utf-8")
        self.outbox.record_error(f"文件 {path.name} 被拒收 / CSV refused: {reason}")
        log.warning("%s refused: %s", path.name, reason)
