"""Errors (contract section 7), the token answer (section 1) and the emulator's health answer."""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from scribe_eval.api._base import VendorModel


class ErrorBody(VendorModel):
    """An error answer in either shape the vendor uses.

    Current: ``{requestid, status, type, detail, validationErrors}``; older: ``{requestid, type,
    status, title, details, instance}``.
    """

    requestid: str | None = Field(
        default=None, validation_alias=AliasChoices("requestid", "requestId", "request_id")
    )
    status: int | None = None
    type: str | None = None
    title: str | None = None
    detail: str | None = Field(default=None, validation_alias=AliasChoices("detail", "details"))
    instance: str | None = None
    validation_errors: list[dict[str, Any]] | None = None

    def message(self) -> str:
        """The most useful human-readable explanation the body offers (may be empty)."""
        parts = [p for p in (self.detail, self.title) if p]
        text = parts[0] if parts else (self.type or "")
        if self.validation_errors:
            fields = "; ".join(
                f"{key}: {value}" for item in self.validation_errors for key, value in item.items()
            )
            text = f"{text} ({fields})" if text else fields
        return text


class TokenResponse(BaseModel):
    """Answer of the OpenID Connect token endpoint (its keys are snake_case on the wire)."""

    model_config = ConfigDict(extra="ignore")

    access_token: str
    expires_in: int = 300
    token_type: str = "Bearer"
    scope: str | None = None


class HealthResponse(VendorModel):
    """Answer of the emulator's ``GET /v2/health``."""

    status: str
    engines: dict[str, Any] = Field(default_factory=dict)
    version: str
