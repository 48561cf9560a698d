"""Test isolation shared by every test: no SCRIBE_EVAL_* from the caller, paths under tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolate_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Remove the caller's SCRIBE_EVAL_* settings; keep one shared model cache for the session."""
    for name in list(os.environ):
        if name.startswith("SCRIBE_EVAL_"):
            monkeypatch.delenv(name)
    # Reassembling and verifying speech weights is slow: share one cache folder for the
    # whole session (the weights are verified by hash, so sharing cannot leak state).
    monkeypatch.setenv("SCRIBE_EVAL_CACHE_DIR", str(_shared_cache(tmp_path_factory)))


def _shared_cache(factory: pytest.TempPathFactory) -> Path:
    base = factory.getbasetemp() / "model-cache"
    base.mkdir(parents=True, exist_ok=True)
    return base


@pytest.fixture
def project_root() -> Path:
    """The repository root (for the bundled sample dataset and example files)."""
    return Path(__file__).resolve().parent.parent
