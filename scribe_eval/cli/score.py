"""``scribe-eval score``: score transcripts or notes produced outside scribe-eval.

FILE is CSV (with a header row) or JSONL (one object per line); a ``.jsonl``/``.ndjson`` suffix
or a first character ``{`` selects JSONL. ``--json`` prints one object ``{"items": [...],
"summary": {...}}`` whose keys are stable (see ``scribe_eval.metrics``).

A row whose reference, hypothesis or id is missing (absent, null, a short CSV row) or whose
hypothesis is empty is never scored: it is named by row number on stderr, listed under
``summary.left_out`` and kept out of every figure (an empty hypothesis would otherwise count as
WER 1.0). ``--keep-empty-hypotheses`` scores empty hypotheses when they are real (silence).
An empty reference is scored as before and flagged ``empty_reference``.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table

from scribe_eval._textfile import read_text_file
from scribe_eval.cli._tables import print_table
from scribe_eval.errors import DatasetError
from scribe_eval.metrics import NORMALIZERS, TOKENIZERS, fmt_points

if TYPE_CHECKING:
    from scribe_eval.metrics import TermRecallResult, TokenizerName, WerResult

__all__ = ["score"]

_FILE = click.Path(path_type=Path, dir_okay=False)


@click.group()
def score() -> None:
    """Score transcripts (WER family) or notes (ROUGE family) from a CSV or JSONL file."""


def _columns(func: Any) -> Any:
    for option in reversed(
        [
            click.argument("file", type=_FILE),
            click.option("--ref-col", required=True, help="Column with the reference text."),
            click.option("--hyp-col", required=True, help="Column with the text to score."),
            click.option(
                "--id-col", default=None, help="Column naming each row (default: row number)."
            ),
            click.option("--json", "as_json", is_flag=True, help="Print one JSON object."),
            click.option(
                "--keep-empty-hypotheses",
                is_flag=True,
                help="Score rows whose hypothesis is empty (default: report and leave them out).",
            ),
        ]
    ):
        func = option(func)
    return func


@score.command("transcripts")
@_columns
@click.option(
    "--normalizer",
    metavar="NAME|FILE.yaml",
    default="basic",
    show_default=True,
    help="Text normaliser applied to both sides: a built-in ("
    + ", ".join(NORMALIZERS)
    + "; 'none' = whitespace split only) or a pipeline YAML file (README: Normalisers).",
)
@click.option("--terms", type=_FILE, default=None, help="File of medical terms, one per line.")
def transcripts(
    file: Path,
    ref_col: str,
    hyp_col: str,
    id_col: str | None,
    as_json: bool,
    keep_empty_hypotheses: bool,
    normalizer: str,
    terms: Path | None,
) -> None:
    """WER, MER, WIL and CER per row, plus mean and pooled (corpus) WER and CER."""
    # Imported per command: scoring transcripts needs no ROUGE, nor notes any WER (start-up).
    from scribe_eval.metrics import corpus_wer, get_normalizer, term_recall, wer

    table = _read_rows(file, ref_col, hyp_col, id_col, keep_empty=keep_empty_hypotheses)
    rows = table.rows
    term_list = _read_terms(terms) if terms else None
    norm = get_normalizer(normalizer)
    results = [wer(r[ref_col], r[hyp_col], normalizer=norm) for r in rows]
    items: list[dict[str, Any]] = []
    recalls: list[TermRecallResult] = []
    for row_id, result in zip(table.ids, results, strict=True):
        item = {"id": row_id, **result.as_dict()}
        if term_list is not None:
            recall = term_recall(result, None, term_list)
            recalls.append(recall)
            item["term_recall"] = recall.recall
        items.append(item)
    summary = corpus_wer(results).as_dict()
    summary["normalizer"] = norm.label
    summary.update(table.left_out_summary())
    if term_list is not None:
        occurrences = sum(r.occurrences for r in recalls)
        recognised = sum(r.recognised for r in recalls)
        summary["term_recall"] = recognised / occurrences if occurrences else None
    if as_json:
        click.echo(json.dumps({"items": items, "summary": summary}, ensure_ascii=False))
    else:
        _print_transcripts(items, results, summary)


@score.command("notes")
@_columns
@click.option(
    "--tokenizer",
    type=click.Choice(list(TOKENIZERS)),
    default="unicode",
    show_default=True,
    help="'unicode' (any script) or 'rouge-score' (its ASCII tokenizer, for paper comparisons).",
)
@click.option("--stemmer", is_flag=True, help="Porter-stem English tokens (rouge-score's way).")
@click.option(
    "--medications",
    type=_FILE,
    default=None,
    help="File of medication names, one per line, for the fact check (as a dataset's terms).",
)
@click.option(
    "--facts/--no-facts",
    default=True,
    show_default=True,
    help="Run the clinical fact check (about 4 ms per note of 500 words; ROUGE alone ~1 ms).",
)
@click.option(
    "--language",
    default="en",
    show_default=True,
    help="The notes' language (BCP 47): how the fact check reads numbers ('1,000' is a thousand "
    "in English, one in German).",
)
@click.option(
    "--language-col", default=None, help="Column with each row's language (overrides --language)."
)
@click.option(
    "--csv", "as_csv", is_flag=True, help="One CSV row per item (missed/invented facts as text)."
)
def notes(
    file: Path,
    ref_col: str,
    hyp_col: str,
    id_col: str | None,
    as_json: bool,
    keep_empty_hypotheses: bool,
    tokenizer: str,
    stemmer: bool,
    medications: Path | None,
    facts: bool,
    language: str,
    language_col: str | None,
    as_csv: bool,
) -> None:
    """ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum (P, R, F) per row, plus mean F.

    Each row also gets the clinical fact check the runner applies (quantities, medications,
    negations, laterality): fact recall and precision with the missed, invented and contradicted
    facts, so notes made elsewhere get the same checks. The summary's figures are the metric
    catalogue's (a mean over rows for each), as in reports and gates.
    """
    from scribe_eval.metrics import METRICS, ROUGE_TYPES, check_facts, rouge

    table = _read_rows(file, ref_col, hyp_col, id_col, keep_empty=keep_empty_hypotheses)
    if language_col is not None and not any(language_col in row for row in table.rows):
        raise DatasetError(
            f"column {language_col!r} not found in {file}: pass the right name with --language-col"
        )
    rows = table.rows
    tok: TokenizerName = "rouge-score" if tokenizer == "rouge-score" else "unicode"
    results = [rouge(r[ref_col], r[hyp_col], tokenizer=tok, stemmer=stemmer) for r in rows]
    # An empty reference cannot be scored (every figure would be 0 by construction): it is
    # reported, given no numbers and left out of the means, as `score transcripts` does.
    empty = [not r[ref_col].strip() for r in rows]
    items = []
    names = _read_terms(medications) if medications else []
    for row, row_id, res, is_empty in zip(rows, table.ids, results, empty, strict=True):
        item: dict[str, Any] = {"id": row_id, **res.as_dict(), "empty_reference": is_empty}
        if is_empty:
            item.update({k: None for k in item if k.startswith("rouge")})
        elif facts:
            lang = str(row.get(language_col) or language) if language_col else language
            checked = check_facts(row[ref_col], row[hyp_col], medications=names, language=lang)
            item.update({k: v for k, v in checked.as_dict().items() if k != "kinds"})
        items.append(item)
    summary: dict[str, Any] = {"n": len(results), "n_empty_reference": sum(empty)}
    # Every summary figure is its catalogue metric over the items (one encounter each), the
    # number a report or gate would show for the same notes.
    keys = [*(f"{name}_f" for name in ROUGE_TYPES), "fact_recall", "fact_precision"]
    summary.update({key: METRICS[key].corpus(items) for key in keys})
    summary.update(tokenizer=TOKENIZERS[tok], stemmer=stemmer)
    summary["metrics_version"] = results[0].as_dict()["metrics_version"] if results else None
    summary.update(table.left_out_summary())
    if as_json:
        click.echo(json.dumps({"items": items, "summary": summary}, ensure_ascii=False))
    else:
        _print_notes(items, summary, "csv" if as_csv else "auto")


@dataclass
class _Table:
    """The rows to score, their ids, and the rows left out (row number, why)."""

    rows: list[dict[str, str]]
    ids: list[Any]
    left_out: list[tuple[int, str]] = field(default_factory=list)

    def left_out_summary(self) -> dict[str, Any]:
        """The ``summary`` keys naming the rows that were not scored."""
        return {
            "n_left_out": len(self.left_out),
            "left_out": [{"row": row, "problem": problem} for row, problem in self.left_out],
        }


def _read_rows(
    path: Path, ref_col: str, hyp_col: str, id_col: str | None, *, keep_empty: bool
) -> _Table:
    """The rows of a CSV or JSONL file that can be scored; the others are named on stderr.

    Row numbers count data rows from 1 (the CSV header is not a row), as the default ids do.
    """
    raw = read_text_file(path, what="the CSV/JSONL file", error=DatasetError)
    is_jsonl = path.suffix.lower() in (".jsonl", ".ndjson") or raw.lstrip().startswith("{")
    rows, columns = _parse_jsonl(path, raw) if is_jsonl else _parse_csv(raw)
    if not rows:
        raise DatasetError(f"{path} has no rows: add one row per reference/hypothesis pair")
    for column in (ref_col, hyp_col, id_col):
        if column is not None and column not in columns:
            raise DatasetError(
                f"column {column!r} not found in {path} (columns: {', '.join(columns)}): "
                "pass the right name with --ref-col/--hyp-col/--id-col"
            )
    table = _Table(rows=[], ids=[])
    for number, row in enumerate(rows, start=1):
        where = f"row {number} of {path}"
        problem = _row_problem(row, where, (ref_col, hyp_col, id_col), keep_empty=keep_empty)
        if problem is None:
            table.rows.append(row)
            table.ids.append(row[id_col] if id_col else number)
        else:
            table.left_out.append((number, problem))
            click.echo(f"Warning: {where}: {problem}; left out, not scored", err=True)
    if not table.rows:
        raise DatasetError(
            f"no row of {path} can be scored ({len(rows)} left out, see above): fill in the "
            f"{ref_col!r} and {hyp_col!r} columns"
        )
    return table


def _row_problem(
    row: dict[str, Any],
    where: str,
    columns: tuple[str, str, str | None],
    *,
    keep_empty: bool,
) -> str | None:
    """Why ``row`` cannot be scored, else None; text of the wrong type is a DatasetError.

    ``columns`` are the reference, hypothesis and (optional) id columns.
    """
    ref_col, hyp_col, id_col = columns
    if None in row:
        return "has more fields than the header (a comma or quote out of place?)"
    for column in (ref_col, hyp_col, id_col):
        if column is not None and row.get(column) is None:
            return f"column {column!r} is missing"
    for column in (ref_col, hyp_col):  # the texts; an id may be any JSON value
        if not isinstance(row[column], str):
            kind = type(row[column]).__name__
            raise DatasetError(
                f"{where}: column {column!r} holds {kind}, not text; store the text as a string"
            )
    if not keep_empty and not row[hyp_col].strip():
        return (
            f"column {hyp_col!r} is empty (pass --keep-empty-hypotheses if the system really "
            "produced nothing)"
        )
    return None


def _parse_csv(raw: str) -> tuple[list[dict[str, Any]], list[str]]:
    csv.field_size_limit(sys.maxsize)
    reader = csv.DictReader(raw.splitlines(keepends=True))
    rows = [dict(row) for row in reader]
    return rows, list(reader.fieldnames or [])


def _parse_jsonl(path: Path, raw: str) -> tuple[list[dict[str, Any]], list[str]]:
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(
                f"line {number} of {path} is not JSON ({exc.msg}): write one object per line"
            ) from exc
        if not isinstance(row, dict):
            raise DatasetError(f"line {number} of {path} is not a JSON object: write one per line")
        rows.append(row)
    # A column is known when any row has it: a key absent from one row is that row's problem.
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return rows, columns


def _read_terms(path: Path) -> list[str]:
    text = read_text_file(path, what="the terms file", error=DatasetError)
    return [line.strip() for line in text.splitlines() if line.strip()]


def _fmt(value: float | None) -> str:
    # People read points (0-100, one decimal), as everywhere else; --json keeps fractions.
    return "n/a" if value is None else fmt_points(value)


def _print_transcripts(
    items: list[dict[str, Any]], results: list[WerResult], summary: dict[str, Any]
) -> None:
    table = Table(
        "id", "WER", "MER", "WIL", "CER", "S", "D", "I", "ref words", title="points (0-100)"
    )
    for item, res in zip(items, results, strict=True):
        table.add_row(
            str(item["id"]),
            _fmt(res.wer) + (" (empty ref)" if res.empty_reference else ""),
            _fmt(res.mer),
            _fmt(res.wil),
            _fmt(res.cer),
            str(res.substitutions),
            str(res.deletions),
            str(res.insertions),
            str(len(res.ref_words)),
        )
    console = Console()
    print_table(table)
    console.print(
        f"n={summary['n']}  WER mean of items {_fmt(summary['wer_mean'])}  "
        f"WER pooled {_fmt(summary['wer_corpus'])}  CER pooled {_fmt(summary['cer_corpus'])}  "
        f"empty references {summary['n_empty_reference']}  normalizer {summary['normalizer']}"
        + (f"  term recall {_fmt(summary['term_recall'])}" if "term_recall" in summary else "")
    )


def _print_notes(items: list[dict[str, Any]], summary: dict[str, Any], table_format: str) -> None:
    from scribe_eval.metrics import ROUGE_TYPES

    headers = (*(f"{t} F" for t in ROUGE_TYPES), "fact recall", "fact precision")
    table = Table("id", *headers, "missed facts", "invented facts", title="points (0-100)")
    for item in items:
        table.add_row(
            str(item["id"]),
            *(_fmt(item[f"{t}_f"]) for t in ROUGE_TYPES),
            _fmt(item.get("fact_recall")),
            _fmt(item.get("fact_precision")),
            _facts_text(item.get("missed", [])),
            _facts_text(item.get("invented", [])),
        )
    print_table(table, table_format)
    if table_format == "csv":
        return
    means = "  ".join(f"{t} F {_fmt(summary[f'{t}_f'])}" for t in ROUGE_TYPES)
    Console().print(
        f"n={summary['n']} (empty references {summary['n_empty_reference']}, left out of the "
        f"means)  mean over notes: {means}  fact recall {_fmt(summary['fact_recall'])}  fact "
        f"precision {_fmt(summary['fact_precision'])}  tokenizer {summary['tokenizer']}"
    )


def _facts_text(facts: list[dict[str, str]]) -> str:
    return "; ".join(f"{f['kind']}: {f['text']}" for f in facts)
