"""``emulator serve`` warns in one line when it listens beyond loopback with auth off."""

from __future__ import annotations

import select
import subprocess
import sys
from pathlib import Path

import pytest

from scribe_eval.cli import emulator as emulator_cli


def _serve(tmp_path: Path, *flags: str) -> list[str]:
    """Start ``emulator serve`` for real, wait for its ready line, stop it; its stderr lines."""
    command = [sys.executable, "-m", "scribe_eval.cli", "emulator", "serve", "--port", "0",
               "--data-dir", str(tmp_path / "data"), "--asr-engine", "instant", "--no-preload",
               *flags]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 60)
    line = process.stdout.readline() if ready else ""
    process.terminate()
    _, stderr = process.communicate(timeout=20)
    assert line.startswith("http://"), stderr
    return stderr.splitlines()


@pytest.mark.slow
@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_beyond_loopback_without_auth_warns_in_one_line(tmp_path: Path, host: str) -> None:
    warnings = [line for line in _serve(tmp_path, "--host", host) if "Warning" in line]
    assert len(warnings) == 1
    assert warnings[0].startswith("Warning: listening on")
    assert host in warnings[0]
    assert "auth off" in warnings[0]
    assert "--auth client-credentials" in warnings[0]


@pytest.mark.slow
@pytest.mark.parametrize(
    "flags",
    [
        pytest.param(("--host", "127.0.0.1"), id="loopback"),
        pytest.param(
            ("--host", "0.0.0.0", "--auth", "client-credentials", "--client", "base:id:secret"),
            id="auth-on",
        ),
    ],
)
def test_no_warning_on_loopback_or_with_auth(tmp_path: Path, flags: tuple[str, ...]) -> None:
    assert not [line for line in _serve(tmp_path, *flags) if "Warning" in line]


@pytest.mark.parametrize(
    ("host", "warns"),
    [
        pytest.param("127.0.0.1", False, id="ipv4-loopback"),
        pytest.param("127.3.4.5", False, id="loopback-range"),
        pytest.param("::1", False, id="ipv6-loopback"),
        pytest.param("localhost", False, id="localhost"),
        pytest.param("0.0.0.0", True, id="all-ipv4"),
        pytest.param("::", True, id="all-ipv6"),
        pytest.param("192.168.1.20", True, id="lan-address"),
        pytest.param("emulator.internal", True, id="host-name"),
    ],
)
def test_exposure_warning_by_host(host: str, warns: bool) -> None:
    assert (emulator_cli.exposure_warning(host, "none") is not None) is warns
    assert emulator_cli.exposure_warning(host, "client-credentials") is None
