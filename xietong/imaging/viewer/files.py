"""OHIF's build folder, served as it is: each file with its type and how long a browser may
keep it, compressed when a .gz of it was made at install (./xt), and the viewer's own
Content-Security-Policy on every answer under /viewer/."""

from __future__ import annotations

import asyncio
import mimetypes
import re
from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponseBase,
    HttpResponseNotModified,
    StreamingHttpResponse,
)
from django.utils._os import safe_join
from django.utils.http import http_date
from django.views.static import was_modified_since

from xietong.core.csp import HEADER as CSP_HEADER

# Files of the build we never serve: we write the page and the configuration ourselves
# (views.py), and OHIF's service worker, deploy notes and sample configurations (which name
# servers outside ours) have no use here.
WITHHELD = frozenset(
    {
        "index.html",
        "app-config.js",
        "sw.js",
        "init-service-worker.js",
        "google.js",
        "silent-refresh.html",
        "serve.json",
        "_headers",
        "_redirects",
    }
)
# A name carrying a content hash (webpack's 16 hex digits: 2493.bundle.c4af70e46357151f.js,
# 5130ccb17e3f3f5b.wasm) never changes content: a browser keeps it for a year. Other names
# (app.bundle.css, the icons) are checked again each time (Last-Modified, 304 when unchanged).
HASHED = re.compile(r"(?:^|\.)[0-9a-f]{16}\.[A-Za-z0-9]+$")
TYPES = {".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript",
         ".woff2": "font/woff2", ".json": "application/json", ".svg": "image/svg+xml"}  # fmt: skip
BUNDLE = re.compile(r'src="/(app\.bundle\.[0-9a-f]+\.js)"')


def dist() -> Path:
    return Path(settings.XT_VIEWER_DIST)


def installed() -> bool:
    return (dist() / "index.html").is_file()


@cache
def _bundle_name(index: Path, mtime: float) -> str:
    found = BUNDLE.search(index.read_text(encoding="utf-8"))
    return found.group(1) if found else "app.bundle.js"


def app_bundle() -> str:
    """The name of OHIF's main script in this build (it carries the build's hash)."""
    index = dist() / "index.html"
    return _bundle_name(index, index.stat().st_mtime)


def viewer_policy() -> str:
    directives: dict[str, str] = settings.XT_VIEWER_CONTENT_SECURITY_POLICY
    return "; ".join(f"{name} {value}".strip() for name, value in directives.items())


def with_viewer_policy(response: HttpResponseBase) -> HttpResponseBase:
    """The viewer's policy instead of the site's (the site's middleware leaves a response
    that already has one alone). A worker's script brings its own policy, so the build's
    files carry it too."""
    response[CSP_HEADER] = viewer_policy()
    return response


def find(path: str) -> Path | None:
    """The build's file at `path` (relative to /viewer/), or None: outside the folder,
    withheld, hidden or missing."""
    if not path or path in WITHHELD or any(part.startswith(".") for part in path.split("/")):
        return None
    if path.endswith(".gz"):
        return None
    try:
        found = Path(safe_join(str(dist()), path))
    except Exception:  # SuspiciousFileOperation: a path that leaves the folder
        return None
    return found if found.is_file() else None


async def _blocks(path: Path, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    handle = await asyncio.to_thread(path.open, "rb")
    try:
        while block := await asyncio.to_thread(handle.read, size):
            yield block
    finally:
        handle.close()


def file_response(request: HttpRequest, found: Path) -> HttpResponseBase:
    stat = found.stat()
    if not was_modified_since(request.headers.get("If-Modified-Since"), stat.st_mtime):
        return with_viewer_policy(HttpResponseNotModified())
    content_type = TYPES.get(found.suffix) or mimetypes.guess_type(found.name)[0]
    served = found
    gz = found.with_name(found.name + ".gz")
    accepts_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
    if accepts_gzip and gz.is_file() and gz.stat().st_mtime >= stat.st_mtime:
        served = gz
    kind = content_type or "application/octet-stream"
    response: HttpResponseBase
    if isinstance(request, ASGIRequest):
        # Under ASGI Django reads a synchronous file response whole into memory before
        # sending it (the main script is 17 MB): read it in blocks off the event loop instead.
        response = StreamingHttpResponse(_blocks(served), content_type=kind)
    else:
        response = FileResponse(served.open("rb"), content_type=kind)  # sendfile under WSGI
    response["Content-Length"] = str(served.stat().st_size)
    if served is gz:
        response["Content-Encoding"] = "gzip"
    response["Vary"] = "Accept-Encoding"
    response["Last-Modified"] = http_date(stat.st_mtime)
    if HASHED.search(found.name):
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = "no-cache"
    return with_viewer_policy(response)
