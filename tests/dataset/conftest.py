"""Shared fixtures of the dataset tests: the bundled sample, the mini fixture, importer inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from scribe_eval.dataset import Finding, validate_dataset

REPO = Path(__file__).resolve().parent.parent.parent
SAMPLE = REPO / "datasets" / "sample"
FIXTURES = REPO / "tests" / "fixtures" / "datasets"
MINI = FIXTURES / "mini"


@pytest.fixture(scope="session")
def sample_findings() -> list[Finding]:
    """The bundled sample's findings (decoding every file once per session)."""
    return validate_dataset(SAMPLE)
