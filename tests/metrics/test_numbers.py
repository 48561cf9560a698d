"""Written numbers read by the note's language (``_numbers``): grouping versus decimal marks."""

from __future__ import annotations

import pytest

from scribe_eval.metrics import read_numbers
from scribe_eval.metrics._numbers import decimal_mark


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        pytest.param("Heparin 10,000 units", "en", "Heparin 10000 units", id="en-comma-groups"),
        pytest.param("Heparin 10.000 Einheiten", "de", "Heparin 10000 Einheiten",
                     id="de-point-groups"),
        pytest.param("1,000,000 and 1.000.000", "en", "1000000 and 1000000", id="repeated-marks"),
        pytest.param("38,5 °C", "de", "38.5 °C", id="de-decimal-comma"),
        pytest.param("38.5 °C", "en", "38.5 °C", id="en-decimal-point"),
        # A language's decimal mark wins over the grouping shape of the other convention.
        pytest.param("1,000 mg", "de", "1.000 mg", id="de-comma-is-decimal"),
        pytest.param("1.500 mg", "en", "1.500 mg", id="en-point-is-decimal"),
        # No thousands group has 1, 2 or 4 digits or starts with 0: a decimal, whatever the
        # language (a note in the other convention is still read).
        pytest.param("38,1 °C", "en", "38.1 °C", id="en-decimal-comma-tolerated"),
        pytest.param("1,5 g and 0,125 mg", "en", "1.5 g and 0.125 mg", id="en-ambiguous-comma"),
        pytest.param("38.5 and 0.125", "de", "38.5 and 0.125", id="de-decimal-point-tolerated"),
        pytest.param("1.000,5 and 1,000.5", "en", "1000.5 and 1000.5", id="both-marks-en"),
        pytest.param("1.000,5 and 1,000.5", "fr", "1000.5 and 1000.5", id="both-marks-fr"),
        pytest.param("5 000 units", "en", "5000 units", id="space"),
        pytest.param("5\u202f000 unités", "fr", "5000 unités", id="narrow-no-break-space"),
        pytest.param("5\u00a0000,5", "fr", "5000.5", id="no-break-space-and-decimal"),
        pytest.param("age 45 120/80", "en", "age 45 120/80", id="space-before-a-ratio"),
        pytest.param("on 12.03.2024 at 10:30", "de", "on 12.03.2024 at 10:30", id="dates"),
        pytest.param("SpO2 100%", "en", "SpO2 100%", id="digits-after-letters"),
        pytest.param("500-1,000 mg", "en", "500-1000 mg", id="range"),
        pytest.param("1,000mg", "en", "1000mg", id="glued-unit"),
    ],
)  # fmt: skip
def test_read_numbers(text: str, language: str, expected: str) -> None:
    assert read_numbers(text, language) == expected


@pytest.mark.parametrize(
    ("language", "mark"),
    [("en", "."), ("en-GB", "."), ("zh_CN", "."), ("de", ","), ("de-DE", ","), ("fr", ","),
     ("es", ","), ("it-IT", ",")],
)  # fmt: skip
def test_decimal_mark_by_language(language: str, mark: str) -> None:
    assert decimal_mark(language) == mark
