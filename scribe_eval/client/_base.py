"""The client's construction, lifetime and the small helpers every endpoint method uses."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from scribe_eval.client._auth import Auth, NoAuth
from scribe_eval.client._errors import DEFAULT_URL_SOURCE
from scribe_eval.client._http import CallCounter, Http, QueryParams, Request, Sleep
from scribe_eval.client._retry import PollPolicy, RetryPolicy
from scribe_eval.client._settings import ClientSettings
from scribe_eval.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


class ClientBase:
    """Holds the httpx client, the auth mode and the policies; endpoint mixins build on it."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: Auth | None = None,
        tenant: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        poll: PollPolicy | None = None,
        timeout: float = 60.0,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        base_url_source: str = DEFAULT_URL_SOURCE,
    ) -> None:
        """``base_url_source`` names where ``base_url`` was set (``SCRIBE_EVAL_BASE_URL``,
        ``target.base_url in experiment.yaml``, ``--target``): a message's fix points there."""
        self.base_url = base_url.rstrip("/")
        self.poll = poll or PollPolicy()
        self._sleep = sleep
        self._clock = clock
        try:
            self._client = httpx.AsyncClient(
                base_url=self.base_url + "/",
                transport=transport,
                timeout=httpx.Timeout(timeout),
                follow_redirects=False,
            )
        except httpx.InvalidURL as exc:
            raise ConfigError(
                f"base URL {base_url!r} is not a URL ({exc}); check {base_url_source}"
            ) from exc
        self._http = Http(
            self._client, auth or NoAuth(), tenant=tenant, retry=retry or RetryPolicy(),
            sleep=sleep, rng=rng, now=now, url_source=base_url_source,
        )  # fmt: skip

    @classmethod
    def from_settings(
        cls,
        settings: ClientSettings | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
        base_url_source: str = DEFAULT_URL_SOURCE,
    ) -> Self:
        """A client configured from ``settings`` (default: the ``SCRIBE_EVAL_*`` environment).

        ``base_url_source``: where the settings' base URL came from, when not from the
        environment (an experiment file's key, a command-line option).
        """
        settings = settings or ClientSettings.load()
        return cls(
            settings.resolved_base_url(),
            auth=settings.build_auth(),
            tenant=settings.tenant,
            transport=transport,
            retry=settings.retry_policy(),
            poll=settings.poll_policy(),
            timeout=settings.timeout,
            sleep=sleep,
            base_url_source=base_url_source,
        )

    @property
    def calls(self) -> CallCounter:
        """HTTP requests sent so far, per ``METHOD /path/{template}``."""
        return self._http.counter

    @property
    def auth(self) -> Auth:
        """The authentication mode in use."""
        return self._http.auth

    async def aclose(self) -> None:
        """Close the underlying httpx client and its connections."""
        await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, auth={self.auth!r})"

    async def _model(self, model: type[M], request: Request) -> M:
        return await self._http.call(request, lambda r: model.model_validate_json(r.content))

    async def _no_content(self, request: Request) -> None:
        await self._http.call(request, lambda r: None)


def request(method: str, template: str, ids: Mapping[str, str] | None = None, **kw: Any) -> Request:
    """A ``Request`` for ``template`` with its ``{placeholders}`` filled by URL-quoted ``ids``."""
    path = template.format(**{k: quote(str(v), safe="") for k, v in (ids or {}).items()})
    return Request(method, template, path, **kw)


def params(**values: object) -> QueryParams:
    """Query parameters without the unset ones; a list or tuple value repeats its key."""
    out: list[tuple[str, str | int | bool]] = []
    for key, value in values.items():
        items = value if isinstance(value, list | tuple) else [value]
        out.extend((key, item) for item in items if isinstance(item, str | int | bool))
    return out
