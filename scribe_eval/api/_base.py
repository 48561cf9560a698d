"""Base classes: lenient models for vendor answers, strict ones for what the emulator accepts."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class VendorModel(BaseModel):
    """An answer from the API: unknown fields are ignored, camelCase and snake_case both parse."""

    model_config = ConfigDict(
        extra="ignore",
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )

    def to_wire(self) -> dict[str, Any]:
        """The JSON body as the wire spells it (camelCase keys, unset optional fields left out)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class RequestModel(VendorModel):
    """A request body: unknown fields are refused, so a client bug surfaces as a 400."""

    model_config = ConfigDict(extra="forbid")
