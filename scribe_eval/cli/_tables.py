"""One way to print a table: rich for a terminal, whole values for a pipe, a CI log or a script.

Rich fits a table to the terminal's width by folding and cutting cells (``compl…``). That is right
for a person at a terminal and wrong everywhere else: outside a terminal rich assumes 80 columns,
so ids, statuses and dates come out cut or folded into fragments. :func:`print_table` renders a
rich table as is only when stdout is a terminal; otherwise, and whenever ``--format`` asks, it
prints the same cells whole, as aligned plain text, CSV or JSON.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable
from typing import Any, Literal, TypeVar, cast

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

TableFormat = Literal["auto", "rich", "plain", "csv", "json"]
TABLE_FORMATS: tuple[TableFormat, ...] = ("auto", "rich", "plain", "csv", "json")

F = TypeVar("F", bound=Callable[..., Any])


def format_option(func: F) -> F:
    """``--format auto|rich|plain|csv|json`` (``auto``: rich in a terminal, plain otherwise)."""
    option = click.option(
        "--format",
        "table_format",
        type=click.Choice(TABLE_FORMATS),
        default="auto",
        show_default=True,
        help="Table output: rich in a terminal, plain aligned text when piped; or csv / json "
        "(one object per row). No format cuts a value.",
    )
    return option(func)


def print_table(table: Table, table_format: str = "auto") -> None:
    """Print ``table`` for a terminal or a pipe, as ``table_format`` asks."""
    chosen = cast(TableFormat, table_format)
    if chosen == "auto":
        chosen = "rich" if sys.stdout.isatty() else "plain"
    if chosen == "rich":
        Console().print(table)
    elif chosen == "csv":
        _print_csv(table)
    elif chosen == "json":
        click.echo(json.dumps(table_records(table), indent=2, ensure_ascii=False))
    else:
        click.echo(plain_table(table), nl=False)


def table_cells(table: Table) -> tuple[list[str], list[list[str]]]:
    """The table's headers and rows as plain strings, nothing cut."""
    headers = [_plain(column.header) for column in table.columns]
    columns = [[_plain(cell) for cell in column.cells] for column in table.columns]
    return headers, [list(row) for row in zip(*columns, strict=True)]


def table_records(table: Table) -> list[dict[str, str]]:
    """One dict per row, keyed by the column headers (values as `for_scripts` writes them)."""
    headers, rows = table_cells(table)
    return [dict(zip(headers, map(for_scripts, row), strict=True)) for row in rows]


def for_scripts(cell: str) -> str:
    """A cell as a program reads it (csv, json): the typographic minus (U+2212) a terminal shows
    written ``-``, and "±0.0" as ``0.0``, so that ``float()`` and spreadsheets read a value."""
    cell = cell.replace("\u2212", "-")
    if cell.startswith("\u00b1"):
        rest = cell[1:]
        try:
            float(rest)
        except ValueError:
            return cell
        return rest
    return cell


def plain_table(table: Table) -> str:
    """Aligned plain text: title, header, rows, caption; every cell whole on one line."""
    headers, rows = table_cells(table)
    # A value with a line break would break the alignment; it is shown on one line instead.
    rows = [[" ".join(cell.splitlines()) for cell in row] for row in rows]
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]
    lines = [_plain(table.title)] if table.title else []
    for row in [headers, *rows]:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    if table.caption:
        lines += _plain(table.caption).splitlines()
    return "".join(f"{line}\n" for line in lines)


def _print_csv(table: Table) -> None:
    headers, rows = table_cells(table)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows([for_scripts(cell) for cell in row] for row in rows)
    sys.stdout.flush()


def _plain(value: object) -> str:
    # Cells are data, never markup: a run named "[draft]" keeps its brackets.
    return value.plain if isinstance(value, Text) else str(value)
