"""The own_models contract (config/import_contracts.py) on a small package made for the test:
a view importing another app's models breaks it, a type hint under TYPE_CHECKING does not,
and neither does an import of one's own models or of another app's selectors."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

from config.import_contracts import OwnModelsContract

FILES = {
    "shop/__init__.py": "",
    "shop/a/__init__.py": "",
    "shop/a/models.py": "",
    "shop/a/selectors.py": "from shop.a import models\n",
    "shop/b/__init__.py": "",
    "shop/b/models.py": "",
    "shop/b/views.py": (
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "from shop.a.selectors import models as _m\n"
        "from shop.b.models import *\n"
        "if TYPE_CHECKING:\n"
        "    from shop.a.models import Thing\n"
    ),
    "shop/b/services/__init__.py": "",
    "shop/b/services/write.py": "import shop.a.models\n",
}


@pytest.fixture
def graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[grimp.ImportGraph]:
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)  # the contract reads a module's source from its path
    yield grimp.build_graph("shop", cache_dir=None)
    for module in [m for m in sys.modules if m == "shop" or m.startswith("shop.")]:
        del sys.modules[module]


def _contract(**options: list[str]) -> OwnModelsContract:
    return OwnModelsContract(
        name="own models",
        session_options={"root_packages": ["shop"]},
        contract_options={"apps": ["shop.a", "shop.b"], "layers": ["views", "services"], **options},
    )


def test_a_service_importing_another_apps_models_breaks_it_a_type_hint_does_not(graph) -> None:
    check = _contract().check(graph, verbose=False)
    assert not check.kept
    assert [(a, b) for a, b, _lines in check.metadata["broken"]] == [
        ("shop.b.services.write", "shop.a.models")
    ]


def test_an_ignored_import_keeps_it(graph) -> None:
    ignored = _contract(ignore_imports=["shop.b.services.write -> shop.a.models"])
    assert ignored.check(graph, verbose=False).kept
