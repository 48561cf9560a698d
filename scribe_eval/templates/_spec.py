"""A template spec: what one template file (or one stored template key) asks the API for.

Each spec maps to exactly one of the contract's three ways of choosing a template (section 6):
``templateKey``; ``template.sectionKeys`` when no section carries an override; ``template.sections``
otherwise. Its ``spec_hash`` is the sha256 of the canonical JSON of that request form plus
``documentationMode``: the runner's cache key. The label, description, languages and base are for
people and tooling; changing them does not change what the API is asked, so not the hash either.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scribe_eval import api
from scribe_eval.errors import TemplateError

#: Longest template-level ``instructions`` or section override text accepted, in characters.
#: The vendor publishes no limit; 2,000 characters (about 300-400 words) is well beyond what a
#: section instruction needs, and longer texts are usually a pasted note or transcript by mistake.
MAX_INSTRUCTION_CHARS = 2000
#: Longest ``nameOverride`` (a section heading) accepted, in characters.
MAX_NAME_CHARS = 80


@dataclass(frozen=True)
class TemplateSpec:
    """One template as the runner sends it: a stored key or an inline template.

    Attributes:
        label: The name reports show (the file's ``label``, else its stem, else the key).
        template_key: The stored template's key, when the spec names one.
        template: The inline template (``sectionKeys`` or ``sections`` form), otherwise.
        documentation_mode: ``global_sequential``, ``routed_parallel`` or None (API default).
        languages: The output languages the template is meant for (empty: not restricted).
        source: The file the spec was read from, if any.
        spec_hash: sha256 of the canonical JSON of ``request_fields()``.
    """

    label: str
    template_key: str | None
    template: api.InlineTemplate | None
    documentation_mode: str | None
    languages: tuple[str, ...]
    source: Path | None
    spec_hash: str

    def request_fields(self) -> dict[str, Any]:
        """The template part of a document request: ``{"templateKey": ..}`` or ``{"template": ..}``.

        ``documentationMode`` is included when the spec sets it. Merge the result into the body
        of ``POST /interactions/{id}/documents/``.
        """
        return request_fields(self.template_key, self.template, self.documentation_mode)

    def section_keys(self) -> tuple[str, ...] | None:
        """The inline template's section keys in order; None for a stored ``templateKey``."""
        if isinstance(self.template, api.TemplateBySectionKeys):
            return tuple(self.template.section_keys)
        if isinstance(self.template, api.TemplateBySections):
            return tuple(section.key for section in self.template.sections)
        return None

    @classmethod
    def from_key(cls, key: str, label: str | None = None) -> TemplateSpec:
        """A spec that asks for the stored template ``key`` (the ``templateKey`` form)."""
        if not key or not key.strip():
            raise TemplateError(
                "empty template key — give a stored template key such as corti-soap"
            )
        return build_spec(
            label=label or key,
            template_key=key.strip(),
            template=None,
            documentation_mode=None,
            languages=(),
            source=None,
        )


def build_spec(
    *,
    label: str,
    template_key: str | None,
    template: api.InlineTemplate | None,
    documentation_mode: str | None,
    languages: tuple[str, ...],
    source: Path | None,
) -> TemplateSpec:
    """Assemble a ``TemplateSpec`` and compute its hash (the one place the hash is made)."""
    fields = request_fields(template_key, template, documentation_mode)
    return TemplateSpec(
        label=label,
        template_key=template_key,
        template=template,
        documentation_mode=documentation_mode,
        languages=languages,
        source=source,
        spec_hash=spec_hash(fields),
    )


def request_fields(
    template_key: str | None, template: api.InlineTemplate | None, documentation_mode: str | None
) -> dict[str, Any]:
    """The normalised request form: exactly one of ``templateKey`` / ``template``."""
    fields: dict[str, Any]
    if template_key is not None:
        fields = {"templateKey": template_key}
    elif template is not None:
        fields = {"template": template.to_wire()}
    else:
        raise TemplateError("a template spec needs a templateKey or sections — add one of them")
    if documentation_mode is not None:
        fields["documentationMode"] = documentation_mode
    return fields


def spec_hash(fields: dict[str, Any]) -> str:
    """sha256 hex of the canonical JSON (sorted keys, no spaces, UTF-8) of ``fields``."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def inline_template(
    sections: list[api.SectionOverride], instructions: str | None
) -> api.InlineTemplate:
    """The ``sectionKeys`` form when no section has an override, else the ``sections`` form."""
    if any(section.has_overrides() for section in sections):
        return api.TemplateBySections(
            sections=sections, additional_instructions_override=instructions
        )
    return api.TemplateBySectionKeys(
        section_keys=[section.key for section in sections], additional_instructions=instructions
    )
