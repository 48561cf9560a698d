"""Authentication: the emulator's token endpoint and the bearer check of every API call.

With ``auth="none"`` any bearer token (or none) is accepted and the tenant is whatever
``Tenant-Name`` says (``base`` when missing). With ``auth="client-credentials"`` the emulator serves
``POST /auth/realms/{tenant}/protocol/openid-connect/token`` for the configured client id and
secret of each tenant, issues opaque tokens that expire, keeps only their SHA-256 in its database
(so they survive a restart), and answers 401 with an empty body for a missing, unknown or expired
token and 403 when the token's tenant is not the ``Tenant-Name`` of the call.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from typing import Any, Final
from urllib.parse import parse_qs, unquote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from scribe_eval.emulator._problems import ApiProblem
from scribe_eval.emulator._settings import EmulatorSettings
from scribe_eval.emulator._store import EmulatorStore

DEFAULT_TENANT: Final = "base"
"""The tenant of a call that sends no ``Tenant-Name``."""

_MAX_FORM_BYTES: Final = 16 * 1024


def auth_problems(settings: EmulatorSettings) -> dict[int, str]:
    """The answers the bearer check can send: none without auth, else 401 and 403."""
    if settings.auth == "none":
        return {}
    return {
        401: "the bearer token is missing, unknown or expired (empty body, WWW-Authenticate)",
        403: "the token was issued for another tenant than Tenant-Name",
    }


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Authenticator:
    """Checks bearer tokens and issues them (client-credentials mode)."""

    def __init__(self, settings: EmulatorSettings, store: EmulatorStore) -> None:
        self._settings = settings
        self._store = store

    @property
    def checks_tokens(self) -> bool:
        """Whether calls need a token this emulator issued (``auth`` is not ``none``)."""
        return self._settings.auth != "none"

    def tenant(self, request: Request) -> str:
        """The tenant a call acts for, once its credentials are accepted.

        Raises:
            ApiProblem: 401 for a missing, unknown or expired token; 403 for another tenant's token.
        """
        tenant = request.headers.get("tenant-name", "").strip() or DEFAULT_TENANT
        if self._settings.auth == "none":
            return tenant
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiProblem(401, "missing bearer token", headers=_challenge("invalid_request"))
        owner = self._store.token_tenant(_digest(token.strip()), time.time())
        if owner is None:
            raise ApiProblem(401, "invalid or expired token", headers=_challenge("invalid_token"))
        if owner != tenant:
            raise ApiProblem(
                403,
                f"the token was issued for tenant {owner!r}, not for Tenant-Name {tenant!r}",
            )
        return tenant

    def issue(self, tenant: str, client_id: str, client_secret: str) -> dict[str, object]:
        """A token answer for ``tenant`` if the credentials match (any, without auth), else {}."""
        expected = self._settings.clients.get(tenant)
        id_ok = expected is not None and hmac.compare_digest(expected.client_id, client_id)
        secret_ok = expected is not None and hmac.compare_digest(
            expected.client_secret.get_secret_value(), client_secret
        )
        if self._settings.auth != "none" and not (id_ok and secret_ok):
            return {}
        token = secrets.token_urlsafe(32)
        ttl = self._settings.token_ttl_s
        self._store.add_token(_digest(token), tenant, time.time() + ttl)
        self._store.add_tenant(tenant)
        return {
            "access_token": token,
            "expires_in": ttl,
            "refresh_expires_in": 0,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "scope": "openid",
        }


class OAuthError(BaseModel):
    """The token endpoint's error body (RFC 6749 section 5.2), not the API's problem shape."""

    error: str
    error_description: str


def _challenge(error: str) -> dict[str, str]:
    return {"WWW-Authenticate": f'Bearer realm="scribe-eval-emulator", error="{error}"'}


def _oidc_error(status: int, error: str, description: str) -> JSONResponse:
    # The token endpoint answers in OAuth 2.0's shape (RFC 6749 section 5.2), not the API's.
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def _basic_credentials(header: str) -> tuple[str, str]:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return "", ""
    try:
        decoded = base64.b64decode(value, validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return "", ""
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)


def _token_errors(checks_tokens: bool) -> dict[int | str, dict[str, Any]]:
    errors: dict[int | str, dict[str, Any]] = {
        400: {"model": OAuthError, "description": "not client_credentials, or too large"}
    }
    if checks_tokens:  # without auth any client id and secret get a token
        errors[401] = {"model": OAuthError, "description": "unknown client or wrong secret"}
    return errors


def token_router(auth: Authenticator) -> APIRouter:
    """The OpenID Connect token endpoint (``client_credentials`` grant only)."""
    router = APIRouter(tags=["auth"])

    @router.post(
        "/auth/realms/{tenant}/protocol/openid-connect/token",
        summary="Issue an access token (client credentials, form-encoded)",
        responses=_token_errors(auth.checks_tokens),
        openapi_extra={
            "requestBody": {
                "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object"}}}
            }
        },
    )
    async def issue_token(tenant: str, request: Request) -> JSONResponse:
        raw = await request.body()
        if len(raw) > _MAX_FORM_BYTES:
            return _oidc_error(400, "invalid_request", "the form is too large")
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "client_credentials":
            return _oidc_error(
                400, "unsupported_grant_type", "only grant_type=client_credentials is supported"
            )
        client_id, secret = _basic_credentials(request.headers.get("authorization", ""))
        client_id = form.get("client_id", client_id)
        secret = form.get("client_secret", secret)
        answer = auth.issue(tenant, client_id, secret)
        if not answer:
            return _oidc_error(
                401, "invalid_client", f"unknown client or wrong secret for realm {tenant!r}"
            )
        return JSONResponse(answer, headers={"Cache-Control": "no-store"})

    return router
