"""Rendering of the template note engine: statements, styles and layouts of a section.

A sentence becomes a statement in the output language's conventions (third person for English
and German visits; content in another language is kept as spoken behind a lead-in phrase), then
telegraphic or full, then laid out as prose, bullets, a numbered list or a single line.
"""

from __future__ import annotations

import re

from scribe_eval.emulator.engines import _notes_lexicon as lex
from scribe_eval.emulator.engines import _notes_rules as rules
from scribe_eval.emulator.engines import _notes_text as text
from scribe_eval.emulator.engines._notes_lexicon import Category
from scribe_eval.emulator.engines._notes_text import Sentence


def _statement(sentence: Sentence, category: Category, source: str, output: str) -> str:
    if sentence.final:
        return sentence.text
    base = output.split("-")[0].lower()
    if source != base:
        if sentence.role == "patient":
            return lex.phrase(output, "reports").format(sentence.text)
        return sentence.text
    if source == "en":
        if sentence.role == "patient":
            return text.third_person_en(sentence.text)
        return text.clinician_en(sentence.text, category)
    if source == "de":
        if sentence.role == "patient":
            return text.third_person_de(sentence.text)
        return text.clinician_de(sentence.text, category)
    return sentence.text


def render(
    chosen: list[tuple[Sentence, Category]], rule: rules.Directives, source: str, output: str
) -> str:
    """Write a section's sentences as statements in its layout and style."""
    items: list[str] = []
    for sentence, category in chosen:
        statement = _statement(sentence, category, source, output)
        if rule.style == "telegraphic" or rule.layout == "line":
            statement = text.telegraphic(statement, source)
        else:
            statement = text.full_sentence(statement)
        if statement and statement not in items:
            items.append(statement)
    return _layout(items, rule.layout, output)


def _layout(items: list[str], layout: rules.Layout, output: str) -> str:
    if not items:
        return lex.phrase(output, "empty")
    if layout == "bullets":
        return "\n".join(f"- {item}" for item in items)
    if layout == "numbered":
        return "\n".join(f"{number}. {item}" for number, item in enumerate(items, start=1))
    if layout == "line":
        return _one_line(items[0])
    return " ".join(text.full_sentence(item) for item in items)


def _one_line(item: str) -> str:
    # A one-line section keeps the first clause when the statement runs on.
    clause = re.split(r",\s+|\s+(?:and|but|und|aber|og|men|et|mais)\s+", item, maxsplit=1)[0]
    return clause if len(text.words(clause)) >= 2 else item


def summary(
    chosen: list[tuple[Sentence, Category]], rule: rules.Directives, source: str, output: str
) -> str:
    """A plain-language summary addressed to the patient: reason, findings, next steps.

    English visits are turned back to the patient ("I have" -> "you have"); other languages keep
    the spoken content behind the output language's headings.
    """
    groups: dict[str, list[str]] = {"reason": [], "found": [], "next": []}
    part_of = {"complaint": "reason", "history": "reason", "assessment": "found", "plan": "next"}
    for item, category in chosen:
        sentence = item.text
        if source == "en" and output.startswith("en"):
            sentence = _plain_en(item)
        part = groups[part_of.get(category, "found")]
        if len(part) < 3 and sentence not in part:
            part.append(text.full_sentence(sentence))
    parts = [
        lex.phrase(output, name).format(" ".join(lines)) for name, lines in groups.items() if lines
    ]
    return _layout(parts, "bullets" if rule.layout in ("bullets", "numbered") else "prose", output)


def _plain_en(sentence: Sentence) -> str:
    if sentence.role == "patient" and not sentence.final:
        return text.second_person_en(sentence.text)
    return text.strip_hedge(sentence.text)
