"""Client settings from ``SCRIBE_EVAL_*`` environment variables (never from a file in the repo).

``auth_mode`` ``auto`` picks the mode from what is set: a token means a static bearer token, a
client id and secret mean OAuth2 client credentials, nothing means no auth (the emulator).

Client credentials only ever go to a host the user named: the vendor's token endpoint when the base
URL is the vendor's (or unset), else the explicit ``token_url`` (``SCRIBE_EVAL_TOKEN_URL``). A
custom base URL without a token URL is refused rather than sending the secret to the vendor's
auth host.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from scribe_eval.client._auth import (
    Auth,
    BearerTokenAuth,
    ClientCredentialsAuth,
    NoAuth,
    vendor_token_url,
)
from scribe_eval.client._retry import PollPolicy, RetryPolicy
from scribe_eval.errors import ConfigError

AuthMode = Literal["auto", "client_credentials", "token", "none"]

#: The vendor's REST base; ``env`` is ``eu`` or ``us``.
VENDOR_BASE_URL = "https://api.{env}.corti.app/v2"


class ClientSettings(BaseSettings):
    """Where the API is and how to authenticate, read from ``SCRIBE_EVAL_*`` variables.

    Example: ``SCRIBE_EVAL_TENANT=acme SCRIBE_EVAL_CLIENT_ID=.. SCRIBE_EVAL_CLIENT_SECRET=..``
    targets the vendor's ``eu`` environment; ``SCRIBE_EVAL_BASE_URL=http://127.0.0.1:8000/v2``
    with no credentials targets a local emulator.
    """

    # Unknown keyword arguments are refused (a typo must not be ignored); unrelated SCRIBE_EVAL_*
    # variables are never read, so they cannot trip this.
    model_config = SettingsConfigDict(env_prefix="SCRIBE_EVAL_", extra="forbid")

    base_url: str | None = None
    env: Literal["eu", "us"] = "eu"
    tenant: str | None = None
    auth_mode: AuthMode = "auto"
    client_id: str | None = None
    client_secret: SecretStr | None = None
    token: SecretStr | None = None
    token_url: str | None = None
    timeout: float = Field(default=60.0, gt=0)
    max_attempts: int = Field(default=4, ge=1)
    max_wait: float = Field(default=60.0, ge=0)
    poll_deadline: float = Field(default=900.0, gt=0)

    @classmethod
    def load(cls, **values: Any) -> ClientSettings:
        """Settings from the environment and ``values``; a bad value is a ConfigError."""
        try:
            return cls(**values)
        except ValidationError as exc:
            error = exc.errors()[0]
            name = ".".join(str(part) for part in error["loc"]) or "?"
            raise ConfigError(
                f"client setting {name!r} is invalid: {error['msg']}; fix it or "
                f"SCRIBE_EVAL_{name.upper()}"
            ) from exc

    def resolved_base_url(self) -> str:
        """The REST base URL: ``base_url`` when set, else the vendor's for ``env``."""
        return (self.base_url or VENDOR_BASE_URL.format(env=self.env)).rstrip("/")

    def resolved_token_url(self) -> str:
        """The token URL: ``token_url`` (``{tenant}`` filled in), else the vendor's.

        The vendor's token URL is used only when the base URL is the vendor's (or unset); its
        environment comes from that base URL. Any other base URL needs an explicit ``token_url``.

        Raises:
            ConfigError: No tenant, or a custom base URL without ``token_url``.
        """
        tenant = self._require_tenant()
        if self.token_url:
            return self.token_url.replace("{tenant}", tenant)
        env = self._vendor_env()
        if env is None:
            raise ConfigError(
                f"client credentials for the custom base URL {self.resolved_base_url()} would go "
                "to the vendor's token host; set the token URL: SCRIBE_EVAL_TOKEN_URL (or "
                "`token_url` in the experiment's target)"
            )
        return vendor_token_url(tenant, env)

    def resolved_auth_mode(self) -> AuthMode:
        """The auth mode ``auto`` resolves to, given which credentials are set."""
        if self.auth_mode != "auto":
            return self.auth_mode
        if self.token is not None:
            return "token"
        if self.client_id or self.client_secret is not None:
            return "client_credentials"
        return "none"

    def build_auth(self) -> Auth:
        """The ``Auth`` these settings describe; ConfigError when credentials are missing."""
        mode = self.resolved_auth_mode()
        if mode == "token":
            if self.token is None or not self.token.get_secret_value():
                raise ConfigError("auth mode 'token' needs SCRIBE_EVAL_TOKEN; set it")
            return BearerTokenAuth(self.token)
        if mode == "client_credentials":
            if not self.client_id or self.client_secret is None:
                raise ConfigError(
                    "client credentials need both SCRIBE_EVAL_CLIENT_ID and "
                    "SCRIBE_EVAL_CLIENT_SECRET; set the missing one"
                )
            return ClientCredentialsAuth(
                self.resolved_token_url(), self.client_id, self.client_secret
            )
        return NoAuth()

    def retry_policy(self) -> RetryPolicy:
        """The retry policy these settings describe."""
        return RetryPolicy(max_attempts=self.max_attempts, max_wait=self.max_wait)

    def poll_policy(self) -> PollPolicy:
        """The transcript polling policy these settings describe."""
        return PollPolicy(deadline=self.poll_deadline)

    def _vendor_env(self) -> str | None:
        """The vendor environment the base URL belongs to; None for any other host."""
        if self.base_url is None:
            return self.env
        base = self.resolved_base_url().lower()
        for env in ("eu", "us"):
            if base == VENDOR_BASE_URL.format(env=env):
                return env
        return None

    def _require_tenant(self) -> str:
        if not self.tenant:
            raise ConfigError(
                "client credentials need the tenant for the token URL; set SCRIBE_EVAL_TENANT"
            )
        return self.tenant
