"""The built wheel: our distribution name, licence, metadata, starter project and command."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from this checkout (no network: hatchling is in the dev extra)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), ROOT],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("*.whl")
    return built


@pytest.mark.slow
def test_wheel_metadata_names_our_distribution(wheel: Path) -> None:
    assert wheel.name.startswith("ambient_scribe_eval-")
    with zipfile.ZipFile(wheel) as archive:
        (meta_name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        meta = Parser().parsestr(archive.read(meta_name).decode("utf-8"))
        entry_points = archive.read(meta_name.replace("METADATA", "entry_points.txt")).decode()
        licence = [n for n in archive.namelist() if n.endswith("licenses/LICENSE")]
    assert meta["Name"] == "ambient-scribe-eval"
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta["Author"] == "scribe-eval maintainers"
    assert {url.split(",")[0] for url in meta.get_all("Project-URL", [])} >= {
        "Homepage",
        "Repository",
    }
    assert "Typing :: Typed" in meta.get_all("Classifier", [])
    assert {"emulator", "export"} <= set(meta.get_all("Provides-Extra", []))
    assert "scribe-eval = scribe_eval.cli:entry" in entry_points
    assert licence


@pytest.mark.slow
def test_wheel_ships_the_starter_project_and_stays_small(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for name in (
        "scribe_eval/py.typed",
        "scribe_eval/_starter/experiment.yaml",
        "scribe_eval/_starter/gate.yaml",
        "scribe_eval/_starter/templates/soap-brief.yaml",
        "scribe_eval/_starter/ci/scribe-eval.yml",
        "scribe_eval/_starter/datasets/mini/dataset.yaml",
        "scribe_eval/_starter/datasets/mini/audio/en-01-cough.ogg",
    ):
        assert name in names
    assert not [n for n in names if "__pycache__" in n or n.startswith("tests/")]
    assert wheel.stat().st_size < 1_000_000
