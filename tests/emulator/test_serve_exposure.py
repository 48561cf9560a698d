"""``emulator serve`` warns in one line when it listens beyond loopback with auth off."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scribe_eval.cli import emulator as emulator_cli
from scribe_eval.cli import main


class FakeServerThatReturnsAtOnce:
    """Stands in for uvicorn's server so the command returns after its start-up output."""

    def __init__(self, config: Any, ready_line: str) -> None:
        self.ready_line = ready_line

    def run(self, sockets: list[Any]) -> None:
        for sock in sockets:
            sock.close()


def _serve(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *flags: str) -> tuple[int, str]:
    monkeypatch.setattr(emulator_cli, "_make_server", FakeServerThatReturnsAtOnce)
    command = ["emulator", "serve", "--port", "0", "--data-dir", str(tmp_path / "data"),
               "--asr-engine", "instant", "--no-preload", *flags]  # fmt: skip
    result = CliRunner().invoke(main, command)
    return result.exit_code, result.stderr


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_beyond_loopback_without_auth_warns_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, host: str
) -> None:
    code, stderr = _serve(monkeypatch, tmp_path, "--host", host)
    assert code == 0, stderr
    warnings = [line for line in stderr.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 1
    assert host in warnings[0]
    assert "auth off" in warnings[0]
    assert "--auth client-credentials" in warnings[0]


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
def test_no_warning_on_loopback_or_with_auth(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, flags: tuple[str, ...]
) -> None:
    code, stderr = _serve(monkeypatch, tmp_path, *flags)
    assert code == 0, stderr
    assert "Warning" not in stderr


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
