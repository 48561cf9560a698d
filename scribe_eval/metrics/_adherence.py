"""Did the note follow its template? Deterministic checks of every rule a template file states.

``check_adherence(expectations, sections)`` holds a generated document (its sections' key,
heading and text, in the API's order) to the :class:`AdherenceExpectations` of its request and
returns one :class:`RuleCheck` per rule and section:

- ``present``: each section the template lists was written; ``allowed``: no section it lacks;
- ``order``: the sections come in the template's order (note level);
- ``heading``: the heading equals ``nameOverride``, else the catalogue name in the output
  language (compared without case, surrounding Markdown and a trailing colon);
- ``format``: the layout detected from the text (every line a bullet, every line numbered 1..n,
  unmarked prose, one unmarked sentence) is the one the format rule asks for (a one-sentence
  text is a valid paragraph);
- ``language``: the note, and each section of at least four words, is identified (py3langid)
  as the output language;
- ``length``: each limit the template states ("at most 3 bullets", "under 100 words").

A check passes, fails, or is skipped when it cannot be judged (an empty section, a format rule
naming no known layout, a text too short to identify). The adherence rate is passed / (passed +
failed). Writing style, content rules and instructions need a reader: see ``scribe_eval.judge``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import regex  # type: ignore[import-untyped]

from scribe_eval.metrics._adherence_spec import (
    AdherenceExpectations,
    LengthLimit,
    SectionExpectation,
)
from scribe_eval.metrics._langid import (
    base_language,
    identify_language,
    is_identifiable,
    langid_version,
)
from scribe_eval.metrics._sections import GeneratedSection
from scribe_eval.metrics._version import ADHERENCE_VERSION, METRICS_VERSION

AdherenceRule = Literal["present", "allowed", "order", "heading", "format", "language", "length"]
ADHERENCE_RULES: Final[tuple[AdherenceRule, ...]] = (
    "present", "allowed", "order", "heading", "format", "language", "length",
)  # fmt: skip
Verdict = Literal["pass", "fail", "skip"]
DetectedLayout = Literal["bullets", "numbered", "paragraph", "single_line", "mixed", "empty"]
MIN_LANGUAGE_PROBABILITY: Final = 0.5
"""Below this, a guess of another language than the requested one is too unsure to fail on."""

_BULLET: Final = regex.compile(r"^\s*[-*+•‣◦▪–—·]\s+\S")
_NUMBERED: Final = regex.compile(r"^\s*(\d{1,3})[.)]\s+\S")
_WORD: Final = regex.compile(r"[\p{L}\p{N}]+(?:['’.,/-][\p{L}\p{N}]+)*")
_SENTENCE_END: Final = regex.compile(r"[.!?…](?=\s|$)")
_HEADING_MARKS: Final = regex.compile(r"^[\s#*_]+|[\s#*_:]+$")


@dataclass(frozen=True)
class RuleCheck:
    """One rule checked on one section (``section``) or on the whole note (``section`` None)."""

    rule: AdherenceRule
    section: str | None
    verdict: Verdict
    reason: str

    @property
    def label(self) -> str:
        """``<section>.<rule>`` (``note.<rule>`` for a note-level rule), as reports list them."""
        return f"{self.section or 'note'}.{self.rule}"

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types."""
        return {
            "rule": self.rule,
            "section": self.section,
            "verdict": self.verdict,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class AdherenceResult:
    """Every rule check of one note, the language identified for the whole note, and the layout
    detected in each written section (``(key, layout)`` in document order)."""

    checks: tuple[RuleCheck, ...]
    language: str
    detected_language: str | None
    layouts: tuple[tuple[str, DetectedLayout], ...] = ()

    @property
    def passed(self) -> int:
        """Checks that passed."""
        return sum(check.verdict == "pass" for check in self.checks)

    @property
    def failed(self) -> int:
        """Checks that failed."""
        return sum(check.verdict == "fail" for check in self.checks)

    @property
    def rate(self) -> float | None:
        """passed / (passed + failed); None when nothing could be judged."""
        return _rate(self.checks)

    def failures(self) -> list[RuleCheck]:
        """The failed checks, in check order."""
        return [check for check in self.checks if check.verdict == "fail"]

    def rule_rate(self, rule: AdherenceRule) -> float | None:
        """The pass rate of one rule over the note's sections (None when never judged)."""
        return _rate(check for check in self.checks if check.rule == rule)

    def section_rate(self, key: str) -> float | None:
        """The pass rate of the checks of one section (None when never judged)."""
        return _rate(check for check in self.checks if check.section == key)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types under stable keys (``adherence_rate``, ``adherence_failed`` ...)."""
        sections = dict.fromkeys(c.section for c in self.checks if c.section is not None)
        return {
            "adherence_rate": self.rate,
            "adherence_passed": self.passed,
            "adherence_failed_count": self.failed,
            **{f"adherence_{rule}_rate": self.rule_rate(rule) for rule in ADHERENCE_RULES},
            "adherence_failed": [check.label for check in self.failures()],
            "adherence_failures": [check.as_dict() for check in self.failures()],
            "adherence_sections": {key: self.section_rate(key) for key in sections},
            "adherence_language": self.language,
            "adherence_language_detected": self.detected_language,
            "adherence_layouts": dict(self.layouts),
            "adherence_version": ADHERENCE_VERSION,
            "language_identifier": langid_version(),
            "metrics_version": METRICS_VERSION,
        }


def check_adherence(
    expectations: AdherenceExpectations, sections: Sequence[GeneratedSection]
) -> AdherenceResult:
    """Check a generated document's sections (in document order) against ``expectations``."""
    expected = {section.key: section for section in expectations.sections}
    written = {section.key: section for section in reversed(sections)}
    checks: list[RuleCheck] = [_order(expectations.section_keys(), [s.key for s in sections])]
    note_text = "\n\n".join(section.text for section in sections)
    guess, language_check = _language(None, note_text, expectations.language)
    checks.append(language_check)
    checks += [_length(None, note_text, limit) for limit in expectations.note_limits]
    for want in expectations.sections:
        checks += _section_checks(want, written.get(want.key), expectations.language)
    checks += _allowed(sections, expected.keys())
    layouts = tuple((section.key, detect_layout(section.text)) for section in sections)
    return AdherenceResult(tuple(checks), expectations.language, guess, layouts)


def pooled_adherence(results: Iterable[AdherenceResult]) -> dict[str, float | None]:
    """Rates pooled over notes (e.g. one template x language): ``adherence_rate`` and per rule."""
    checks = [check for result in results for check in result.checks]
    pooled: dict[str, float | None] = {"adherence_rate": _rate(checks)}
    for rule in ADHERENCE_RULES:
        pooled[f"adherence_{rule}_rate"] = _rate(c for c in checks if c.rule == rule)
    return pooled


def detect_layout(text: str) -> DetectedLayout:
    """The layout of a section's text: every line a bullet, every line numbered, or prose.

    Unmarked text is a ``single_line`` when it is one line of at most one sentence, else a
    ``paragraph``; list markers on some lines only make it ``mixed``.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return "empty"
    bullets = sum(bool(_BULLET.match(line)) for line in lines)
    numbered = sum(bool(_NUMBERED.match(line)) for line in lines)
    if bullets == len(lines):
        return "bullets"
    if numbered == len(lines):
        return "numbered"
    if bullets or numbered:
        return "mixed"
    one_sentence = len(lines) == 1 and len(_SENTENCE_END.findall(lines[0].strip())) <= 1
    return "single_line" if one_sentence else "paragraph"


def count_length(text: str, unit: str) -> int:
    """Items (list lines, else sentences), words, sentences or characters of ``text``."""
    if unit == "characters":
        return len(text.strip())
    if unit == "words":
        return len(_WORD.findall(text))
    lines = [line for line in text.splitlines() if line.strip()]
    if unit == "items" and detect_layout(text) in ("bullets", "numbered", "mixed"):
        return len(lines)
    return sum(max(1, len(_SENTENCE_END.findall(line.strip()))) for line in lines)


def _section_checks(
    want: SectionExpectation, got: GeneratedSection | None, language: str
) -> list[RuleCheck]:
    if got is None:
        return [RuleCheck("present", want.key, "fail", "section missing from the note")]
    checks = [
        RuleCheck("present", want.key, "pass", "section written"),
        _heading(want, got.name),
        _format(want, got.text),
        _language(want.key, got.text, language)[1],
    ]
    return checks + [_length(want.key, got.text, limit) for limit in want.limits]


def _allowed(sections: Sequence[GeneratedSection], expected: Iterable[str]) -> list[RuleCheck]:
    known, seen = set(expected), set[str]()
    checks: list[RuleCheck] = []
    for section in sections:
        if section.key not in known or section.key in seen:
            why = "listed twice" if section.key in seen else "not in the template"
            checks.append(RuleCheck("allowed", section.key, "fail", f"section {why}"))
        seen.add(section.key)
    return checks or [RuleCheck("allowed", None, "pass", "every section is in the template")]


def _order(expected: Sequence[str], written: Sequence[str]) -> RuleCheck:
    common = set(expected) & set(written)
    want = [key for key in expected if key in common]
    got = list(dict.fromkeys(key for key in written if key in common))
    if len(want) < 2:
        return RuleCheck("order", None, "skip", "fewer than two of the template's sections")
    if want == got:
        return RuleCheck("order", None, "pass", "sections in the template's order")
    first = next(index for index, (a, b) in enumerate(zip(want, got, strict=True)) if a != b)
    return RuleCheck(
        "order", None, "fail", f"section {first + 1} is {got[first]}, expected {want[first]}"
    )


def _heading(want: SectionExpectation, name: str | None) -> RuleCheck:
    if want.heading is None:
        return RuleCheck("heading", want.key, "skip", "no expected heading (not in catalogue)")
    if not name or not name.strip():
        return RuleCheck("heading", want.key, "fail", f"no heading, expected {want.heading!r}")
    if _plain_heading(name) == _plain_heading(want.heading):
        return RuleCheck("heading", want.key, "pass", f"heading {name!r}")
    return RuleCheck(
        "heading", want.key, "fail",
        f"heading {name!r}, expected {want.heading!r} ({want.heading_source})",
    )  # fmt: skip


def _plain_heading(name: str) -> str:
    return " ".join(_HEADING_MARKS.sub("", name).split()).casefold()


def _format(want: SectionExpectation, text: str) -> RuleCheck:
    if want.layout is None:
        why = f"format rule {want.format_rule!r} names no known layout" if want.format_rule else ""
        return RuleCheck("format", want.key, "skip", why or "no format rule")
    found = detect_layout(text)
    if found == "empty":
        return RuleCheck("format", want.key, "skip", "section is empty")
    ok = found == want.layout or (want.layout == "paragraph" and found == "single_line")
    if ok and found == "numbered" and not _numbered_in_order(text):
        return RuleCheck("format", want.key, "fail", "numbered list does not count 1, 2, 3 ...")
    verdict: Verdict = "pass" if ok else "fail"
    return RuleCheck("format", want.key, verdict, f"{found}, asked for {want.layout}")


def _numbered_in_order(text: str) -> bool:
    numbers = [int(m.group(1)) for line in text.splitlines() if (m := _NUMBERED.match(line))]
    return numbers == list(range(1, len(numbers) + 1))


def _language(section: str | None, text: str, language: str) -> tuple[str | None, RuleCheck]:
    if not is_identifiable(language):
        return None, RuleCheck("language", section, "skip", f"cannot identify {language!r}")
    guess = identify_language(text, [language])
    if guess is None:
        return None, RuleCheck("language", section, "skip", "too few words to identify")
    found = f"{guess.language} (p={guess.probability:.2f})"
    if guess.language == base_language(language):
        return guess.language, RuleCheck("language", section, "pass", f"written in {found}")
    if guess.probability < MIN_LANGUAGE_PROBABILITY:
        return guess.language, RuleCheck("language", section, "skip", f"unsure: {found}")
    reason = f"written in {found}, asked for {language}"
    return guess.language, RuleCheck("language", section, "fail", reason)


def _length(section: str | None, text: str, limit: LengthLimit) -> RuleCheck:
    count = count_length(text, limit.unit)
    verdict: Verdict = "pass" if count <= limit.maximum else "fail"
    reason = f"{count} {limit.unit}, at most {limit.maximum} ({limit.source})"
    return RuleCheck("length", section, verdict, reason)


def _rate(checks: Iterable[RuleCheck]) -> float | None:
    verdicts = [check.verdict for check in checks if check.verdict != "skip"]
    return verdicts.count("pass") / len(verdicts) if verdicts else None
