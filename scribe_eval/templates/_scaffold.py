"""``templates new``: a template file scaffolded from a stored template, ready to edit.

Every section of the stored template is listed with every override field present and null (null
means: keep the section's default), with the default shown in a comment beside it. A scaffold
with nothing edited is valid and asks for the same sections as the stored template (``sectionKeys``
form); each override you fill in switches it to the ``sections`` form.
"""

from __future__ import annotations

from datetime import date

import yaml

from scribe_eval import api
from scribe_eval.templates._catalogue import Catalogue


def scaffold_template(
    name: str,
    base: str,
    catalogue: Catalogue,
    *,
    languages: tuple[str, ...] = (),
    today: date | None = None,
) -> str:
    """The text of a new template file named ``name`` made from the stored template ``base``."""
    template = catalogue.template(base)
    langs = languages or catalogue.template_languages.get(base, ()) or ("en",)
    lines = [
        f"# Made by `scribe-eval templates new {name} --from {base}`",
        f"# on {(today or date.today()).isoformat()} from {catalogue.origin}.",
        "# Fill in overrides (null keeps the section's default, shown in the comment), reorder or",
        "# delete sections, then: scribe-eval templates validate <this file>",
        f"label: {_scalar(name)}",
        f"description: {_scalar(f'{template.name} ({base}) with edits')}",
        f"base: {_scalar(base)}",
        "# The output languages this template is meant for.",
        f"languages: [{', '.join(_scalar(lang) for lang in langs)}]",
        "# global_sequential (API default) or routed_parallel.",
        f"documentationMode: {_scalar(template.documentation_mode)}",
        "# Template-level instructions, sent as the template's additional instructions.",
        f"instructions: {_scalar(template.additional_instructions)}",
        "sections:",
    ]
    for section in catalogue.template_sections(base):
        lines += _section_lines(section)
    return "\n".join(lines) + "\n"


def _section_lines(section: api.Section) -> list[str]:
    style = section.default_writing_style.name if section.default_writing_style else None
    rule = section.default_format_rule.name if section.default_format_rule else None
    defaults = {
        "nameOverride": section.name,
        "writingStyleOverride": style,
        "formatRuleOverride": rule,
        "additionalInstructionsOverride": section.additional_instructions,
        "contentOverride": None,
    }
    lines = [f"  - key: {_scalar(section.key)}"]
    for field, default in defaults.items():
        shown = " ".join(default.split()) if default else "none"
        shown = shown if len(shown) <= 60 else shown[:59] + "…"
        lines.append(f"    {field}: null  # default: {shown}")
    return lines


def _scalar(value: str | None) -> str:
    """``value`` as one line of YAML (quoted when YAML would otherwise misread it)."""
    if value is None:
        return "null"
    text: str = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000)
    return text.removesuffix("\n").removesuffix("\n...")
