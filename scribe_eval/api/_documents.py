"""Documents (contract section 6): a note written from context with one of three template forms."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, model_validator

from scribe_eval.api._base import RequestModel, VendorModel
from scribe_eval.api._transcripts import UsageInfo

DocumentationMode = Literal["global_sequential", "routed_parallel"]
FactSource = Literal["core", "user", "system"]

#: The override fields a section of an inline template may carry.
SECTION_OVERRIDE_FIELDS: tuple[str, ...] = (
    "nameOverride",
    "writingStyleOverride",
    "formatRuleOverride",
    "additionalInstructionsOverride",
    "contentOverride",
)


class TranscriptContextData(RequestModel):
    """One transcript segment (or the whole transcript) given as context."""

    text: str
    channel: int | None = None
    participant: int | None = None
    speaker_id: int | None = None
    start: int | None = None
    end: int | None = None


class TranscriptContext(RequestModel):
    """Context item of type ``transcript``."""

    type: Literal["transcript"]
    data: TranscriptContextData


class StringContext(RequestModel):
    """Context item of type ``string``: free text."""

    type: Literal["string"]
    data: str


class Fact(RequestModel):
    """One fact of a ``facts`` context item."""

    text: str
    group: str | None = None
    source: FactSource | None = None


class FactsContext(RequestModel):
    """Context item of type ``facts``."""

    type: Literal["facts"]
    data: list[Fact]


ContextItem = Annotated[
    TranscriptContext | StringContext | FactsContext, Field(discriminator="type")
]


class SectionOverride(RequestModel):
    """A section of an inline template, with overrides that replace the section's defaults."""

    key: str = Field(min_length=1)
    name_override: str | None = None
    writing_style_override: str | None = None
    format_rule_override: str | None = None
    additional_instructions_override: str | None = None
    content_override: str | None = None

    def has_overrides(self) -> bool:
        """True when any override field is set."""
        return any(
            value is not None
            for value in (
                self.name_override,
                self.writing_style_override,
                self.format_rule_override,
                self.additional_instructions_override,
                self.content_override,
            )
        )


class TemplateBySectionKeys(RequestModel):
    """Inline template from a list of section keys, no overrides."""

    section_keys: list[str] = Field(min_length=1)
    document_name: str | None = None
    additional_instructions: str | None = None


class TemplateBySections(RequestModel):
    """Inline template from sections with overrides."""

    description: str | None = None
    additional_instructions_override: str | None = None
    sections: list[SectionOverride] = Field(min_length=1)


InlineTemplate = TemplateBySectionKeys | TemplateBySections


class CreateDocumentRequest(RequestModel):
    """Body of ``POST /interactions/{id}/documents/``.

    Exactly one way to choose the template is needed; when both ``templateKey`` and ``template``
    are sent, ``templateKey`` wins (as on the vendor).
    """

    context: list[ContextItem] = Field(min_length=1)
    output_language: str = Field(min_length=2, max_length=10)
    name: str | None = None
    disable_guardrails: bool = False
    documentation_mode: DocumentationMode | None = None
    template_key: str | None = None
    template: InlineTemplate | None = None

    @model_validator(mode="after")
    def _one_template_and_compatible_context(self) -> CreateDocumentRequest:
        if self.template_key is None and self.template is None:
            raise ValueError("give either templateKey or template")
        if len(self.context) > 1 and any(c.type != "transcript" for c in self.context):
            raise ValueError("several context items are allowed only when all are transcripts")
        return self


class DocumentSection(VendorModel):
    """One written section of a document; ``name`` is its heading (the override when given)."""

    key: str
    name: str | None = None
    text: str = ""
    sort: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Document(VendorModel):
    """A generated document."""

    id: str
    name: str | None = None
    template_ref: str | None = None
    is_stream: bool = False
    output_language: str | None = None
    sections: list[DocumentSection] = Field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    usage_info: UsageInfo | None = None

    def ordered_sections(self) -> list[DocumentSection]:
        """Sections in their ``sort`` order (the API's order where sort is missing)."""
        indexed = list(enumerate(self.sections))
        indexed.sort(
            key=lambda item: (item[1].sort if item[1].sort is not None else item[0], item[0])
        )
        return [section for _, section in indexed]


class DocumentList(VendorModel):
    """Answer of ``GET .../documents/``."""

    data: list[Document] = Field(default_factory=list)


class DocumentSectionUpdate(RequestModel):
    """A section edit in ``PATCH .../documents/{did}``."""

    key: str
    text: str | None = None
    name: str | None = None


class UpdateDocumentRequest(RequestModel):
    """Body of ``PATCH .../documents/{did}``."""

    name: str | None = None
    sections: list[DocumentSectionUpdate] | None = None
