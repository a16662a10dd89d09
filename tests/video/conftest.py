from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from .netns import ADMIN_KEY, JanusInNamespace, janus_in_namespace, require_janus


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def janus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JanusInNamespace]:
    require_janus()
    with janus_in_namespace(tmp_path_factory.mktemp("janus")) as running:
        yield running


@pytest.fixture
def with_janus(janus: JanusInNamespace, settings: Any, tmp_path: Any) -> JanusInNamespace:
    settings.XT_JANUS_URL = janus.url
    settings.XT_JANUS_ADMIN_KEY = ADMIN_KEY
    settings.XT_JANUS_RECORDINGS_DIR = str(tmp_path / "recordings")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return janus


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    """Users see Chinese (the default language), whatever an earlier test switched to."""
    with translation.override("zh-hans"):
        yield
