"""The package's dependency rules (../shared/DESIGN.md), read from the imports themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "scribe_eval"

#: Sub-package -> the sub-packages of ours it must never import.
FORBIDDEN: dict[str, set[str]] = {
    "metrics": {"*"},  # only scribe_eval.errors
    "stats": {"*"},
    "api": {"client", "emulator", "runner", "compare", "report", "store", "dataset", "templates"},
    "runner": {"emulator", "report"},
    "templates": {"emulator", "runner", "report"},
    "compare": {"runner", "report", "emulator", "client"},
    "report": {"runner", "emulator", "client"},
    "store": {"runner", "compare", "report", "emulator", "client"},
    "client": {"emulator", "runner", "compare", "report", "store"},
}
#: Importable from every layer: the error tree, the version, the one YAML loader and the text
#: file reader it uses, the user cache folder (they import nothing of ours but each other and
#: ``errors``; a test below keeps it that way).
ALLOWED_ALWAYS = {"errors", "_version", "_yaml", "_textfile", "_lazy", "_cachedir"}

#: Known breaches still to remove, each with the reason it is still here. The test fails when
#: one of them disappears (so the entry is removed with the fix) or a new one appears.
KNOWN: dict[str, set[str]] = {}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
    return [(line, name) for line, name in out if name.startswith("scribe_eval")]


def _ours(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_layers(path: Path) -> None:
    here = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    forbidden = FORBIDDEN.get(here, set())
    bad = []
    known = KNOWN.get(str(path.relative_to(PACKAGE)), set())
    seen_known = set()
    for line, name in _imports(path):
        target = _ours(name)
        if name in known:
            seen_known.add(name)
            continue
        if target in (here, *ALLOWED_ALWAYS):
            continue
        if target == "cli" and here != "cli":
            bad.append(f"{line}: {name} (nothing imports cli)")
        elif "*" in forbidden or target in forbidden:
            bad.append(f"{line}: {name} ({here} may not import {target})")
    assert not bad, f"{path.relative_to(PACKAGE)}: " + "; ".join(bad)
    assert seen_known == known, f"remove the fixed entries {known - seen_known} from KNOWN"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_private_module_of_another_package_is_imported(path: Path) -> None:
    here = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    known = KNOWN.get(str(path.relative_to(PACKAGE)), set())
    bad = []
    for line, name in _imports(path):
        parts = name.split(".")
        if name in known:
            continue
        if len(parts) > 2 and parts[1] != here and parts[2].startswith("_"):
            bad.append(f"{line}: {name}")
    assert not bad, f"{path.relative_to(PACKAGE)} imports private modules: " + "; ".join(bad)


def test_the_modules_every_layer_may_import_import_nothing_else() -> None:
    for name in ALLOWED_ALWAYS:
        imported = {_ours(n) for _, n in _imports(PACKAGE / f"{name}.py")}
        assert imported <= {"errors", "_textfile"} - {name}, f"{name}.py imports {imported}"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_edges(path: Path, files: dict[str, Path]) -> set[str]:
    """Modules (not packages) ``path`` imports anywhere but under ``if TYPE_CHECKING``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for n in ast.walk(node)
    }
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                out.add(target if target in files else node.module)
        elif isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
    return {m for m in out if m in files and files[m].name != "__init__.py"}


def test_no_import_cycle_between_modules() -> None:
    files = {_module_name(p): p for p in _modules()}
    graph = {name: _module_edges(path, files) for name, path in files.items()}
    cycles = []
    for start in graph:
        stack = [(start, [start])]
        while stack:
            node, trail = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == start:
                    cycles.append(" -> ".join([*trail, nxt]))
                elif nxt not in trail and len(trail) < 6:
                    stack.append((nxt, [*trail, nxt]))
    assert not cycles, "import cycles: " + "; ".join(sorted(set(cycles))[:5])
