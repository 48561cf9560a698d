"""Without PostgreSQL, `make test` deselects its tests with one line; under CI=true they fail."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _pytest_without_postgres(ci: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["SCRIBE_EVAL_TEST_POSTGRES"] = "postgresql://postgres@127.0.0.1:1/test"
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/store/test_contract.py", "-k", "lease or renewing"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_without_postgres_its_tests_are_skipped_with_one_line() -> None:
    result = _pytest_without_postgres(ci=False)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if "PostgreSQL" in line]
    assert len(lines) == 1, result.stdout
    assert lines[0].startswith("SKIPPED 2 PostgreSQL tests: postgresql://postgres@127.0.0.1:1")
    assert "2 passed" in result.stdout


def test_under_ci_missing_postgres_fails_the_run() -> None:
    result = _pytest_without_postgres(ci=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "PostgreSQL tests need" in result.stdout
    assert "2 passed, 16 deselected, 2 errors" in result.stdout
