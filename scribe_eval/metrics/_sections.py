"""Per-section scoring of a generated note against a sectioned reference note.

Generated sections come from the API (key, name, text); reference sections are heading -> text
(``split_markdown_sections`` reads them from Markdown). Each reference heading is paired with a
generated section through the dataset's mapping (heading -> vendor section key) or, without one,
by heading name (case- and punctuation-insensitive, also matching the key without its vendor
prefix). Only pairs where both sides have text are scored. A missing, empty or extra section is a
finding of its own, and "both empty" is never scored as a perfect 1.0.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from scribe_eval.metrics._context import is_placeholder
from scribe_eval.metrics._rouge import ROUGE_TYPES, RougeResult, rouge
from scribe_eval.metrics._tokenize import TOKENIZERS, TokenizerName, tokenize
from scribe_eval.metrics._version import METRICS_VERSION

__all__ = [
    "GeneratedSection",
    "SectionPair",
    "SectionScores",
    "score_sections",
    "split_markdown_sections",
]

SectionStatus = Literal[
    "scored", "missing", "empty_generated", "empty_reference", "both_empty", "extra"
]

_HEADING = re.compile(r"^\s{0,3}(?:#{1,6}\s+(.+?)\s*#*\s*$|\*\*(.+?)\*\*:?\s*$)")


@dataclass(frozen=True)
class GeneratedSection:
    """One section of a generated document, as the API returns it."""

    key: str
    name: str
    text: str


@dataclass(frozen=True)
class SectionPair:
    """One reference heading and/or generated section, its status and (when scored) ROUGE."""

    status: SectionStatus
    reference_heading: str | None
    section_key: str | None
    rouge: RougeResult | None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types."""
        return {
            "status": self.status,
            "reference_heading": self.reference_heading,
            "section_key": self.section_key,
            "rouge": self.rouge.as_dict() if self.rouge else None,
        }


@dataclass(frozen=True)
class SectionScores:
    """Every section pair, the findings, coverage and the note length ratio."""

    pairs: tuple[SectionPair, ...]
    coverage: float | None
    length_ratio: float | None
    tokenizer: str

    @property
    def findings(self) -> tuple[SectionPair, ...]:
        """Pairs that are not scored: missing, empty or extra sections."""
        return tuple(p for p in self.pairs if p.status != "scored")

    def mean_f(self, rouge_type: str = "rougeL") -> float | None:
        """Mean F of ``rouge_type`` over scored pairs (``None`` when none was scored)."""
        scores = [getattr(p.rouge, rouge_type).fmeasure for p in self.pairs if p.rouge]
        return sum(scores) / len(scores) if scores else None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types; ``section_<type>_f`` are means over scored pairs."""
        out: dict[str, Any] = {f"section_{t}_f": self.mean_f(t) for t in ROUGE_TYPES}
        out.update(
            section_coverage=self.coverage,
            length_ratio=self.length_ratio,
            n_scored=sum(p.status == "scored" for p in self.pairs),
            findings=[p.as_dict() for p in self.findings],
            pairs=[p.as_dict() for p in self.pairs],
            tokenizer=self.tokenizer,
            metrics_version=METRICS_VERSION,
        )
        return out


def split_markdown_sections(text: str) -> dict[str, str]:
    """Split Markdown into heading -> body (``# Heading`` or a ``**Heading**`` line).

    Text before the first heading is kept under the empty heading ``""`` when non-blank.
    """
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match:
            current = (match.group(1) or match.group(2)).strip()
            sections.setdefault(current, [])
        else:
            sections[current].append(line)
    out = {h: "\n".join(lines).strip() for h, lines in sections.items()}
    if not out[""]:
        del out[""]
    return out


def _slug(name: str) -> str:
    return re.sub(r"[\W_]+", " ", name.casefold()).strip()


def _match(
    heading: str, generated: Sequence[GeneratedSection], mapping: Mapping[str, str] | None
) -> GeneratedSection | None:
    if mapping is not None:
        key = mapping.get(heading)
        return next((g for g in generated if g.key == key), None)
    slug = _slug(heading)
    for g in generated:
        if _slug(g.name) == slug or _slug(g.key.split("-", 1)[-1]) == slug:
            return g
    return None


def score_sections(
    generated: Sequence[GeneratedSection | tuple[str, str, str]],
    reference: Mapping[str, str],
    *,
    mapping: Mapping[str, str] | None = None,
    tokenizer: TokenizerName = "unicode",
    stemmer: bool = False,
) -> SectionScores:
    """Pair reference sections with generated ones and score each pair with ROUGE.

    Args:
        generated: The document's sections (``GeneratedSection`` or (key, name, text)).
        reference: Reference heading -> text, in order.
        mapping: Reference heading -> vendor section key; without it, align by heading.
        tokenizer: ROUGE tokenizer (also used to count words for the length ratio).
        stemmer: English Porter stemming.

    Coverage is the share of non-empty reference sections whose generated section is present
    and non-empty, a placeholder ("No information recorded.") counting as empty; the length
    ratio is generated words / reference words over whole notes.
    """
    gens = [g if isinstance(g, GeneratedSection) else GeneratedSection(*g) for g in generated]
    pairs: list[SectionPair] = []
    used: set[str] = set()
    for heading, ref_text in reference.items():
        gen = _match(heading, gens, mapping)
        if gen is not None:
            used.add(gen.key)
        pairs.append(_pair(heading, ref_text, gen, tokenizer, stemmer))
    pairs.extend(
        SectionPair("extra", None, g.key, None)
        for g in gens
        if g.key not in used and g.text.strip()
    )
    expected = [p for p in pairs if p.status in ("scored", "missing", "empty_generated")]
    covered = sum(p.status == "scored" for p in expected)
    ref_words = sum(len(tokenize(t, tokenizer)) for t in reference.values())
    gen_words = sum(len(tokenize(g.text, tokenizer)) for g in gens)
    return SectionScores(
        pairs=tuple(pairs),
        coverage=covered / len(expected) if expected else None,
        length_ratio=gen_words / ref_words if ref_words else None,
        tokenizer=TOKENIZERS[tokenizer],
    )


def _pair(
    heading: str,
    ref_text: str,
    gen: GeneratedSection | None,
    tokenizer: TokenizerName,
    stemmer: bool,
) -> SectionPair:
    ref_empty = not tokenize(ref_text, tokenizer)
    key = gen.key if gen else None
    if gen is None:
        return SectionPair("empty_reference" if ref_empty else "missing", heading, None, None)
    # A placeholder ("No information recorded.") holds nothing of the visit: empty, as a
    # section with no words is, unless the reference says only the same.
    gen_empty = not tokenize(gen.text, tokenizer) or (
        is_placeholder(gen.text) and not is_placeholder(ref_text)
    )
    if ref_empty and gen_empty:
        return SectionPair("both_empty", heading, key, None)
    if ref_empty:
        return SectionPair("empty_reference", heading, key, None)
    if gen_empty:
        return SectionPair("empty_generated", heading, key, None)
    result = rouge(ref_text, gen.text, tokenizer=tokenizer, stemmer=stemmer)
    return SectionPair("scored", heading, key, result)
