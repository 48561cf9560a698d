"""Names a package exports but imports on first use (PEP 562), so start-up pays only for use.

A package lists ``name -> private module`` and binds the two hooks::

    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)

Type checkers read the package's ``if TYPE_CHECKING:`` imports of the same names. This module
imports nothing of ours, so every layer may use it.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str], public: Sequence[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package`` for its lazily imported ``exports``."""
    namespace = sys.modules[package].__dict__

    def getattr_(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value  # the next lookup finds it without this hook
        return value

    def dir_() -> list[str]:
        return sorted({*namespace, *public})

    return getattr_, dir_
