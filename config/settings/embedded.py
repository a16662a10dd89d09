"""The embedded default: one command, SQLite under var/, a local media folder,
in-memory channel layer, the task worker beside the web server."""

from .base import *  # noqa: F403
