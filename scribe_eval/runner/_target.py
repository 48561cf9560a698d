"""The target of a run: the embedded emulator (a subprocess) or a real API at a base URL.

The target's *identity* is part of every cache key. For ``embedded`` it is the emulator's version
and its engines' model hashes (never its port), worked out in this process from the engines'
code, the code the server runs, without importing or starting the server; for a URL it is the
base URL and tenant, and the vendor model version when the experiment declares one (the API
reports none: a declared version is how a vendor update reaches the cache keys and the trend). The
server and the client are started lazily, at the first cache miss,
so a fully cached re-run makes no API call and starts nothing.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scribe_eval.client import EmbeddedServer, read_embedded_identity
from scribe_eval.errors import ConfigError, ScribeEvalError
from scribe_eval.experiment import (
    EmbeddedTarget,
    Execution,
    Experiment,
    UrlTarget,
)
from scribe_eval.runner._ledger import CallLedger
from scribe_eval.runner._prestart import embedded_server, same_server

# The client, its settings and its connection pools (httpx, pydantic-settings: ~0.1 s) are
# imported when the first call is made: a re-run answered from the cache makes none.
if TYPE_CHECKING:
    from scribe_eval.client import AmbientClient, ClientSettings
    from scribe_eval.runner._pool import PoolShards


class TargetSession:
    """A lazily started connection to the run's target; ``await client()`` starts it."""

    def __init__(self, identity: dict[str, Any], description: dict[str, Any]) -> None:
        self.identity = identity
        self.description = description
        self._client: AmbientClient | None = None
        self._lock = asyncio.Lock()
        self.startup_s = 0.0
        #: The calls not yet carried to the run's count by a store write (see `CallLedger`).
        self.ledger = CallLedger(lambda: self.api_calls)
        #: Called once, when the client has started (the first call goes out now).
        self.on_started: Callable[[], None] | None = None

    @property
    def started(self) -> bool:
        """True once the client exists (an API call may have been made)."""
        return self._client is not None

    @property
    def calls(self) -> dict[str, int]:
        """HTTP requests sent so far, per call label."""
        return {} if self._client is None else self._client.calls.as_dict()

    @property
    def api_calls(self) -> int:
        """HTTP requests the client has sent so far."""
        return 0 if self._client is None else self._client.calls.total

    async def client(self) -> AmbientClient:
        """The client, starting the target on first use."""
        async with self._lock:
            if self._client is None:
                started = time.perf_counter()
                self._client = await self._start()
                self.startup_s = time.perf_counter() - started
                if self.on_started is not None:
                    self.on_started()
            return self._client

    async def _start(self) -> AmbientClient:
        raise NotImplementedError

    async def aclose(self, *, idle: bool = False) -> None:
        """Close the client (and stop the emulator, for ``embedded``).

        ``idle``: every call of the run was answered and none is in flight (the run completed),
        so an embedded emulator has nothing left to finish (see `EmbeddedServer.terminate`).
        """
        if self._client is not None:
            await self._client.aclose()


class UrlSession(TargetSession):
    """A real API; credentials come from the environment variables the experiment names."""

    def __init__(
        self, target: UrlTarget, execution: Execution, *, experiment_path: Path | None = None
    ) -> None:
        # The version joins the identity only when declared: an undeclared one leaves the
        # identity, and so every cache key made before versions existed, as it was.
        declared = {} if target.model_version is None else {"model_version": target.model_version}
        super().__init__(
            identity={
                "kind": "url",
                "base_url": target.base_url.rstrip("/"),
                "tenant": target.tenant,
                **declared,
            },
            description={
                "kind": "url", "base_url": target.base_url, "tenant": target.tenant, **declared,
            },
        )  # fmt: skip
        self._target = target
        self._execution = execution
        # The URL came from the experiment file, not SCRIBE_EVAL_BASE_URL: a fix points there.
        where = f"in {experiment_path}" if experiment_path else "in the experiment file"
        self.url_source = f"target.base_url {where}"

    async def _start(self) -> AmbientClient:
        from scribe_eval.client import AmbientClient

        return AmbientClient.from_settings(
            url_client_settings(self._target, self._execution), base_url_source=self.url_source
        )


def url_client_settings(target: UrlTarget, execution: Execution) -> ClientSettings:
    """The client settings of a URL target, credentials read from the variables it names.

    Raises:
        ConfigError: A named variable is unset, or a setting is invalid.
    """
    from scribe_eval.client import ClientSettings

    values: dict[str, Any] = {
        "base_url": target.base_url,
        "tenant": target.tenant,
        "timeout": execution.timeout_s,
        "max_attempts": execution.retries + 1,
        "poll_deadline": execution.transcript_deadline_s,
    }
    if target.token_url:
        values["token_url"] = target.token_url
    if target.auth == "token":
        values.update(auth_mode="token", token=_required_env(target.token_env))
    elif target.auth == "client-credentials":
        hint = _static_token_hint(target)
        values.update(
            auth_mode="client_credentials",
            client_id=_required_env(target.client_id_env, hint),
            client_secret=_required_env(target.client_secret_env, hint),
        )
    else:
        values["auth_mode"] = "none"
    return ClientSettings.load(**values)


class EmbeddedSession(TargetSession):
    """The embedded emulator, started as a subprocess on a free port when first needed.

    Its data folder is ``<runs dir>/emulator`` so that a resumed run finds the interactions the
    interrupted one made; its log goes to ``<runs dir>/emulator.log``.
    """

    def __init__(
        self,
        target: EmbeddedTarget,
        execution: Execution,
        runs_dir: Path,
        *,
        prestart: bool = False,
        read_identity: IdentityReader | None = None,
        server: EmbeddedServer | None = None,
    ) -> None:
        self._execution = execution
        self.server = embedded_server(target, runs_dir)
        if server is not None:
            # Spawned early by the caller (see _prestart): adopted, so stopped by aclose. One
            # started otherwise (it cannot be, but would not be this run's) is stopped at once.
            if same_server(server, self.server):
                self.server = server
            else:
                server.terminate()
        if prestart:
            # The server's start-up (a second or two of imports) overlaps with the identity
            # query and with the runner's own reading of the dataset.
            self.server.spawn()
        try:
            identity = embedded_identity(target, read_identity)
        except BaseException:
            # No session is returned, so no aclose will stop the server spawned (or adopted)
            # above: stopped here, on a failed identity and on Ctrl-C alike.
            self.server.terminate()
            raise
        # The client's connection pools (a TLS context: ~40-80 ms of CPU) are built here, off the
        # event loop while the server starts, when the run will most likely call it; else at
        # the first call.
        self._transport = _pools(execution.concurrency) if prestart else None
        super().__init__(identity=identity, description={"kind": "embedded", **identity})

    async def _start(self) -> AmbientClient:
        from scribe_eval.client import AmbientClient, PollPolicy, RetryPolicy

        base = await self.server.base_url()
        transport, self._transport = self._transport, None
        return AmbientClient(
            base,
            # Local, so no proxy to honour: small pools keep httpcore's per-request scans short.
            transport=transport or _pools(self._execution.concurrency),
            retry=RetryPolicy(max_attempts=self._execution.retries + 1),
            # The emulator is local: poll its background transcripts briskly.
            poll=PollPolicy(
                initial_interval=0.25,
                max_interval=2.0,
                deadline=self._execution.transcript_deadline_s,
            ),
            timeout=self._execution.timeout_s,
        )

    async def aclose(self, *, idle: bool = False) -> None:
        """Close the client and stop the emulator process (at once when ``idle``)."""
        await super().aclose()
        transport, self._transport = self._transport, None
        if transport is not None:  # built, never used: the run made no call
            await transport.aclose()
        await self.server.stop(idle=idle)


def open_target(
    experiment: Experiment,
    runs_dir: Path,
    *,
    prestart: bool = False,
    read_identity: IdentityReader | None = None,
    server: EmbeddedServer | None = None,
) -> TargetSession:
    """The session for an experiment's target.

    Nothing is started, unless ``prestart`` asks to start an embedded emulator now because the
    run will most likely call it (see `likely_to_call`); ``aclose`` stops it either way.
    ``read_identity``: see `embedded_identity`. ``server``: the embedded emulator the caller
    already spawned for this run (`prestart_embedded`), which the session adopts.
    """
    target = experiment.target
    if isinstance(target, EmbeddedTarget):
        return EmbeddedSession(
            target, experiment.execution, runs_dir, prestart=prestart,
            read_identity=read_identity, server=server,
        )  # fmt: skip
    if server is not None:
        server.terminate()
    return UrlSession(target, experiment.execution, experiment_path=experiment.path)


def _pools(concurrency: int) -> PoolShards:
    from scribe_eval.runner._pool import PoolShards

    return PoolShards(concurrency)


#: Reads the embedded emulator's identity from its engine names (ASR, notes), as
#: ``scribe-eval emulator identity`` prints it.
IdentityReader = Callable[[str, str], dict[str, Any]]


def embedded_identity(
    target: EmbeddedTarget, read_identity: IdentityReader | None = None
) -> dict[str, Any]:
    """The emulator's version and engine identities, and the target's faults.

    Faults and latency are part of it: a run with injected failures must not share answers with
    a clean one. The runner never imports the emulator (DESIGN.md): by default the identity comes
    from ``scribe-eval emulator identity`` in a subprocess (~0.6 s of CPU). The CLI, which may
    import the emulator, passes ``read_identity`` (`scribe_eval.emulator.engines.engine_identity`,
    the very code that command runs) and saves the subprocess: same interpreter, same environment,
    same code as the server started later, so the same identity.
    """
    read = read_identity or read_embedded_identity
    try:
        identity = dict(read(target.asr_engine, target.note_engine))
    except ScribeEvalError as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"cannot start the embedded emulator: {exc.message}") from exc
    identity["faults"] = dict(sorted(target.faults.items()))
    identity["fault_seed"] = target.fault_seed if target.faults else None
    return identity


def _required_env(name: str, hint: str = "") -> str:
    value = os.environ.get(name)
    if not value:
        raise ConfigError(f"environment variable {name} is not set; export it before the run{hint}")
    return value


def _static_token_hint(target: UrlTarget) -> str:
    """What to add to a missing client-credentials variable's message: ``auth`` defaults to
    client credentials, so a static token set in the environment is not used without
    ``auth: token``."""
    if os.environ.get(target.token_env):
        return (
            f"; {target.token_env} is set, but target.auth is client-credentials (the default): "
            "to use that static token, set `auth: token` under `target:` in the experiment file"
        )
    return "; or, for a static token, set `auth: token` under `target:` in the experiment file"
