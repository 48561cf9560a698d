"""Packages that load their modules on first use (PEP 562): their three lists of names agree.

Each such package keeps `_EXPORTS` (name -> defining module), the same imports under
``TYPE_CHECKING`` for type checkers, and ``__all__``; a name missing from one of them would
type-check but fail at run time, or the reverse.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from types import ModuleType

import pytest

import scribe_eval.client
import scribe_eval.emulator
import scribe_eval.experiment
import scribe_eval.judge
import scribe_eval.metrics
import scribe_eval.runner
import scribe_eval.store

LAZY = [
    pytest.param(scribe_eval.metrics, id="metrics"),
    pytest.param(scribe_eval.emulator, id="emulator"),
    pytest.param(scribe_eval.client, id="client"),
    pytest.param(scribe_eval.runner, id="runner"),
    pytest.param(scribe_eval.experiment, id="experiment"),
    pytest.param(scribe_eval.judge, id="judge"),
    pytest.param(scribe_eval.store, id="store"),
]


def _type_checking_imports(package: ModuleType) -> dict[str, str]:
    tree = ast.parse(inspect.getsource(package))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    )
    return {
        alias.name: str(node.module).rsplit(".", 1)[1]
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


@pytest.mark.parametrize("package", LAZY)
def test_lazy_table_matches_the_type_checking_imports_and_all(package: ModuleType) -> None:
    exports = package._EXPORTS
    assert _type_checking_imports(package) == exports
    assert sorted(exports) == sorted(package.__all__)


@pytest.mark.parametrize("package", LAZY)
def test_each_name_is_its_modules_object(package: ModuleType) -> None:
    for name, module in package._EXPORTS.items():
        defining = importlib.import_module(f"{package.__name__}.{module}")
        assert getattr(package, name) is getattr(defining, name), name


@pytest.mark.parametrize("package", LAZY)
def test_unknown_name_is_an_attribute_error(package: ModuleType) -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        package.no_such_name  # noqa: B018
