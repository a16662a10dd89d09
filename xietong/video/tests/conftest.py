from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from xietong.consultations.tests.world import World, make_world


@pytest.fixture
def world(db: None) -> World:
    return make_world()


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    """Users see Chinese (the default language), whatever an earlier test switched to."""
    with translation.override("zh-hans"):
        yield
