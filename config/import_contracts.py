"""An import-linter contract the stock ones cannot say: an app's views, API and services do not
import another app's models. Each table is written by its own app's services and read through
its own selectors; an app above asks those, not the rows. Imports under `if TYPE_CHECKING:`
(type hints of what a selector returns) do not count. Its use is in pyproject.toml."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils
from importlinter.application.contract_utils import AlertLevel


@functools.cache
def _type_checking_lines(module: str) -> frozenset[int]:
    """The line numbers of the imports a module makes only for the type checker."""
    base = Path(*module.split("."))
    path = base.with_suffix(".py") if base.with_suffix(".py").exists() else base / "__init__.py"
    lines: set[int] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                for sub in ast.walk(inner):
                    if isinstance(sub, ast.Import | ast.ImportFrom):
                        lines.update(range(sub.lineno, (sub.end_lineno or sub.lineno) + 1))
    return frozenset(lines)


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


class OwnModelsContract(Contract):
    """`apps`: the apps; `layers`: the modules of each app that may import only their own
    app's models (as packages: `views` covers `views/lists.py`)."""

    type_name = "own_models"

    apps = fields.ListField(subfield=fields.StringField())
    layers = fields.ListField(subfield=fields.StringField())
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self.ignore_imports,  # type: ignore[arg-type]
            unmatched_alerting=AlertLevel.ERROR,
        )
        apps: list[str] = list(self.apps)  # type: ignore[call-overload]
        layers: list[str] = list(self.layers)  # type: ignore[call-overload]
        broken: list[tuple[str, str, tuple[int, ...]]] = []
        for app in apps:
            checked = [f"{app}.{layer}" for layer in layers]
            others = [f"{other}.models" for other in apps if other != app]
            for importer in sorted(m for m in graph.modules if any(_in(m, c) for c in checked)):
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    if not any(_in(imported, models) for models in others):
                        continue
                    hinted = _type_checking_lines(importer)
                    details = graph.get_import_details(importer=importer, imported=imported)
                    lines = tuple(d["line_number"] for d in details)
                    if lines and all(n in hinted for n in lines):
                        continue
                    broken.append((importer, imported, lines))
            output.verbose_print(verbose, f"{app}: checked {', '.join(checked)}")
        return ContractCheck(
            kept=not broken,
            warnings=list(removal.warnings),
            ignored_import_count=removal.ignored_import_count,
            metadata={"broken": broken},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported, lines in check.metadata["broken"]:
            where = ", ".join(f"l.{n}" for n in lines)
            output.print_error(f"{importer} -> {imported} ({where})", bold=False)
        output.new_line()
        output.print(
            "Ask the other app's selectors and services instead; a type hint may import its "
            "model under `if TYPE_CHECKING:`."
        )
