"""The embedded default: one command, SQLite under var/, a local media folder,
in-memory channel layer, the task worker beside the web server."""

import os
from pathlib import Path

from .base import *  # noqa: F403
from .base import VAR_DIR
from .secret_key import secret_key_from_file

if not os.environ.get("XT_SECRET_KEY"):
    SECRET_KEY = secret_key_from_file(
        Path(os.environ.get("XT_SECRET_KEY_FILE", VAR_DIR / "secret.key"))
    )
