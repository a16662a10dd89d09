"""The embedded mode's secret key: made at random on first start and kept in a file only its
owner can read, so no two installations share one and none is published with the code."""

from __future__ import annotations

import os
import secrets
import stat
import time
from pathlib import Path


def secret_key_from_file(path: Path) -> str:
    """The key in `path`, made on first use. Several processes start at once (server and
    worker); whichever creates the file writes the key, the others wait to read it."""
    for _attempt in range(50):
        try:
            key = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            key = None
        if key:
            if stat.S_IMODE(path.stat().st_mode) & 0o077:
                os.chmod(path, 0o600)  # a copy restored with looser rights is closed again
            return key
        if key is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue  # another process made it first
            key = secrets.token_urlsafe(50)
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(key + "\n")
            return key
        time.sleep(0.1)  # created but not yet written
    raise RuntimeError(f"{path} stays empty; remove it and start again")
