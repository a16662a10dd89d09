from __future__ import annotations

import pytest

from xietong.directory.tests.network import Network, build_network


@pytest.fixture
def network(db: None) -> Network:
    return build_network()
