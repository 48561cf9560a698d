"""Runner tests run experiments against the real emulator (a subprocess on a free port)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "datasets" / "mini"

WriteExperiment = Callable[..., Path]


@pytest.fixture
def write_experiment(tmp_path: Path) -> WriteExperiment:
    """Write an experiment on the mini dataset with the instant speech engine; returns its path."""

    def write(name: str = "exp", **changes: Any) -> Path:
        data: dict[str, Any] = {
            "name": "mini",
            "dataset": str(MINI),
            "target": {"kind": "embedded", "asr_engine": "instant"},
            "templates": [
                {"key": "corti-soap", "label": "soap"},
                {"key": "corti-brief-clinical-note", "label": "brief", "reference": "soap"},
            ],
            "languages": {"output": ["recording"]},
            "execution": {"concurrency": 4, "transcript_concurrency": 2, "retries": 3},
        }
        data.update(changes)
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    return write


StartEmulator = Callable[..., AbstractContextManager[str]]


@pytest.fixture
def start_emulator() -> StartEmulator:
    """Start a real emulator on a data folder (to inspect what a run left there)."""
    return _emulator


@contextmanager
def _emulator(data_dir: Path, *extra: str) -> Iterator[str]:
    """A real emulator on ``data_dir`` (to inspect what a run left there); yields its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "scribe_eval.cli", "emulator", "serve", "--port", "0",
         "--data-dir", str(data_dir), "--asr-engine", "instant", "--no-preload", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("http://127.0.0.1:"), line
        yield line
    finally:
        process.terminate()
        process.wait(timeout=20)
        if process.stdout is not None:
            process.stdout.close()
