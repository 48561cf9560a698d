"""The metrics package loads its modules on first use; its three lists of names must agree."""

from __future__ import annotations

import ast
import importlib
import inspect

import pytest

import scribe_eval.metrics as metrics


def _type_checking_imports() -> dict[str, str]:
    tree = ast.parse(inspect.getsource(metrics))
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


def test_lazy_table_matches_the_type_checking_imports_and_all() -> None:
    assert _type_checking_imports() == metrics._EXPORTS
    assert sorted(metrics._EXPORTS) == sorted(metrics.__all__)


def test_each_name_is_its_modules_object() -> None:
    for name, module in metrics._EXPORTS.items():
        defining = importlib.import_module(f"scribe_eval.metrics.{module}")
        assert getattr(metrics, name) is getattr(defining, name), name


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_metric"):
        metrics.no_such_metric  # noqa: B018
