"""``scribe-eval emulator serve``: run the embedded emulator of the vendor API with uvicorn.

When the server accepts connections it prints exactly one line to stdout, its base URL
(``http://127.0.0.1:PORT/v2``), so a parent process can start it with ``--port 0`` and read the
port it got. Everything else (and uvicorn's own logging) goes to stderr. Then, on a thread of its
own, it loads what its first uploads and documents will need (numpy, PyAV, the catalogue, the note
engine's writing; see `EmulatorState.preload`): the runner waits for the ready line, and its first
calls (creating interactions) need none of it.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from scribe_eval.errors import ConfigError

_FAULT_FLAGS = {
    "fault_429": "p429",
    "fault_500": "p500",
    "fault_503": "p503",
    "fault_slow": "p_slow",
    "slow_ms": "slow_ms",
    "fault_drop": "p_drop",
    "fault_transcript_failed": "p_transcript_failed",
    "latency_ms": "latency_ms",
    "fault_seed": "seed",
    "retry_after_s": "retry_after_s",
}
_PROBABILITY = click.FloatRange(0.0, 1.0)


@click.group("emulator")
def emulator() -> None:
    """Run the embedded, offline emulator of the ambient-documentation API."""


@emulator.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port to bind; 0 picks a free one (printed on the ready line).")  # fmt: skip
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Database and audio folder [env SCRIBE_EVAL_EMULATOR_DATA_DIR].")  # fmt: skip
@click.option(
    "--auth",
    type=click.Choice(["none", "client-credentials"]),
    help="none (default): any bearer token; client-credentials: check issued tokens.",
)
@click.option(
    "--client",
    "clients",
    multiple=True,
    metavar="TENANT:ID:SECRET",
    help="Client credentials of a tenant for the token endpoint (repeatable).",
)
@click.option("--token-ttl-s", type=click.IntRange(1), help="Access token lifetime (300).")
@click.option("--asr-engine", help="whisper-base (default), whisper-tiny.en, instant, ...")
@click.option(
    "--asr-model-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="A local faster-whisper model folder (wins over packaged weights).",
)
@click.option("--asr-threads", type=click.IntRange(1), help="CPU threads for recognition.")
@click.option(
    "--preload/--no-preload",
    default=True,
    show_default=True,
    help="Load the speech model before the ready line (else on first use).",
)
@click.option("--note-engine", help="Note engine (default: template).")
@click.option("--async-threshold-s", type=click.FloatRange(0.0),
              help="Recordings longer than this answer 202 (25).")  # fmt: skip
@click.option("--max-upload-bytes", type=click.IntRange(1), help="Upload limit (150 MB).")
@click.option("--fault-429", type=_PROBABILITY, help="Probability of 429 + Retry-After.")
@click.option("--fault-500", type=_PROBABILITY, help="Probability of 500.")
@click.option("--fault-503", type=_PROBABILITY, help="Probability of 503.")
@click.option("--fault-slow", type=_PROBABILITY, help="Probability of a slow answer.")
@click.option("--slow-ms", type=click.IntRange(0), help="Delay of a slow answer (2000).")
@click.option("--fault-drop", type=_PROBABILITY, help="Probability of a dropped connection.")
@click.option("--fault-transcript-failed", type=_PROBABILITY,
              help="Probability that a transcript ends failed.")  # fmt: skip
@click.option("--latency-ms", type=click.IntRange(0),
              help="Least time each call takes, the emulator's own work included.")  # fmt: skip
@click.option("--fault-seed", type=int, help="Seed of the fault decisions (0).")
@click.option("--retry-after-s", type=click.IntRange(0), help="Retry-After of a 429/503 (1).")
@click.option("--log-level", default="warning", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))  # fmt: skip
def serve(host: str, port: int, clients: tuple[str, ...], preload: bool, log_level: str,
          **options: Any) -> None:  # fmt: skip
    """Serve the emulator on HOST:PORT (loopback by default) until interrupted."""
    from scribe_eval.emulator.engines._cpu import pin_cpu_backend

    pin_cpu_backend()  # before anything imports NumPy, which reads its setting once
    import uvicorn

    from scribe_eval.emulator import DroppedConnectionFilter, create_app

    settings = _settings(options, clients, preload=preload)
    sock = _bind(host, port)
    url = _base_url(host, sock.getsockname()[1])
    app = create_app(settings)
    config = uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="off")
    logging.getLogger("uvicorn.error").addFilter(DroppedConnectionFilter())
    server = _make_server(config, url, after_ready=app.state.emulator.preload)
    click.echo(f"scribe-eval emulator: data in {settings.data_dir}, auth {settings.auth}, "
               f"speech {settings.asr_engine}; Ctrl-C stops it", err=True)  # fmt: skip
    warning = exposure_warning(host, settings.auth)
    if warning:
        click.echo(warning, err=True)
    try:
        server.run(sockets=[sock])
    finally:
        app.state.emulator.worker.close()


def exposure_warning(host: str, auth: str) -> str | None:
    """One line of warning when the server listens beyond loopback without checking tokens."""
    if auth != "none" or _is_loopback(host):
        return None
    return (
        f"Warning: listening on {host} (beyond loopback) with auth off: anyone who can reach "
        "this port can read, change and delete its recordings and notes; require tokens with "
        "--auth client-credentials --client TENANT:ID:SECRET"
    )


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        # A host name other than localhost may resolve to any interface: warn.
        return False


def _make_server(
    config: Any, ready_line: str, *, after_ready: Callable[[], None] | None = None
) -> Any:
    """uvicorn's server, printing ``ready_line`` once it accepts connections, then starting
    ``after_ready`` on a thread (not a daemon: the process never exits in the middle of it)."""
    import uvicorn  # Imported here: uvicorn comes with the emulator extra, not the base install.

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                sys.stdout.write(ready_line + "\n")
                sys.stdout.flush()
                if after_ready is not None:
                    threading.Thread(target=after_ready, name="after-ready").start()

    return Server(config)


def _settings(options: dict[str, Any], clients: tuple[str, ...], *, preload: bool) -> Any:
    from scribe_eval.emulator import EmulatorSettings

    given = {k: v for k, v in options.items() if v is not None and k not in _FAULT_FLAGS}
    faults = {_FAULT_FLAGS[k]: v for k, v in options.items() if k in _FAULT_FLAGS and v is not None}
    try:
        base = EmulatorSettings()
        merged: dict[str, Any] = {**base.model_dump(), **given, "preload_asr": preload}
        merged["faults"] = {**base.faults.model_dump(), **faults}
        if clients:
            merged["clients"] = {**base.clients, **_parse_clients(clients)}
        return EmulatorSettings(**merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        raise ConfigError(f"invalid emulator setting {where}: {first['msg']}") from exc


def _parse_clients(values: tuple[str, ...]) -> dict[str, dict[str, str]]:
    parsed: dict[str, dict[str, str]] = {}
    for value in values:
        tenant, _, rest = value.partition(":")
        client_id, _, secret = rest.partition(":")
        if not (tenant and client_id and secret):
            raise ConfigError(f"--client {value!r} must look like TENANT:CLIENT_ID:SECRET")
        parsed[tenant] = {"client_id": client_id, "client_secret": secret}
    return parsed


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on sockets that say they are TCP,
    # and without it every small answer waits ~40 ms for a delayed ACK (Nagle's algorithm).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"cannot listen on {host}:{port}: {exc.strerror}; choose another --port (0: any free)"
        ) from exc
    sock.set_inheritable(True)
    return sock


def _base_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/v2"


@emulator.command("identity")
@click.option("--asr-engine", default="whisper-base", show_default=True)
@click.option("--asr-model-dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--note-engine", default="template", show_default=True)
def identity(asr_engine: str, asr_model_dir: Path | None, note_engine: str) -> None:
    """Print, as JSON, what makes this emulator's answers what they are (no server started).

    The runner keys its cache on it: the emulator version and each engine's identity (model
    hashes and versions), never the port. Weights are verified, the model is not loaded.
    """
    import json

    from scribe_eval.emulator.engines import engine_identity

    identity = engine_identity(asr_engine, note_engine, model_dir=asr_model_dir)
    click.echo(json.dumps(identity, sort_keys=True))
