"""Every public name listed in an ``__all__`` exists and carries a docstring.

The order of each ``__all__`` is checked by ruff (RUF022, isort-style).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import scribe_eval


def _public_modules() -> list[str]:
    names = ["scribe_eval"]
    for info in pkgutil.walk_packages(scribe_eval.__path__, prefix="scribe_eval."):
        leaf = info.name.rsplit(".", 1)[-1]
        if info.ispkg and not leaf.startswith("_"):
            names.append(info.name)
    names.append("scribe_eval.errors")
    return sorted(names)


@pytest.mark.parametrize("module_name", _public_modules())
def test_all_names_exist_and_are_documented(module_name: str) -> None:
    module = importlib.import_module(module_name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{module_name} has no __all__"
    assert module.__doc__, f"{module_name} has no module docstring"
    for name in exported:
        assert hasattr(module, name), f"{module_name}.__all__ names missing {name!r}"
        obj = getattr(module, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), f"{module_name}.{name} has no docstring"
