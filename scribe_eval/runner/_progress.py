"""Progress per stage (transcripts, documents) with counts, errors and ETA.

On a terminal, rich bars. Elsewhere (a CI log, a file) bars would show only once the run ended,
so a long run said nothing for minutes: a plain line is printed instead, at most every
`LINE_EVERY_S` seconds, and once at the end.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import Final, Literal

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

Stage = Literal["transcripts", "documents"]

LINE_EVERY_S: Final = 30.0
"""How often a progress line is printed where there is no terminal."""


class RunProgress:
    """Counts finished cells per stage; draws rich bars when ``enabled``."""

    def __init__(
        self,
        transcripts: int,
        documents: int,
        *,
        enabled: bool = True,
        terminal: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.totals = {"transcripts": transcripts, "documents": documents}
        self.done = {"transcripts": 0, "documents": 0}
        self.errors = {"transcripts": 0, "documents": 0}
        self._bars: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        self._lines = enabled and not (sys.stderr.isatty() if terminal is None else terminal)
        self._clock = clock
        self._started = self._last_line = clock()
        if enabled and not self._lines:
            self._bars = Progress(
                TextColumn("{task.description:<12}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[errors]} errors"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            )
            for stage, total in self.totals.items():
                self._tasks[stage] = self._bars.add_task(stage, total=total, errors=0)

    def __enter__(self) -> RunProgress:
        if self._bars is not None:
            self._bars.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bars is not None:
            self._bars.stop()
        if self._lines:
            self._line()

    def advance(self, stage: Stage, *, error: bool = False) -> None:
        """One cell of ``stage`` finished (failed when ``error``)."""
        self.done[stage] += 1
        self.errors[stage] += int(error)
        if self._bars is not None:
            self._bars.update(self._tasks[stage], advance=1, errors=self.errors[stage])
        if self._lines and self._clock() - self._last_line >= LINE_EVERY_S:
            self._line()

    def _line(self) -> None:
        """``transcripts 5/11 (0 errors), documents 12/33 (1 error), 95 s`` on standard error."""
        self._last_line = now = self._clock()
        stages = ", ".join(
            f"{stage} {self.done[stage]}/{total} ({self.errors[stage]} "
            f"error{'' if self.errors[stage] == 1 else 's'})"
            for stage, total in self.totals.items()
            if total
        )
        print(f"{stages}, {now - self._started:.0f} s", file=sys.stderr, flush=True)

    def skip(self, *, transcripts: int = 0, documents: int = 0) -> None:
        """Cells already finished by an earlier attempt (a resumed run)."""
        for stage, count in (("transcripts", transcripts), ("documents", documents)):
            if count:
                self.done[stage] += count
                if self._bars is not None:
                    self._bars.update(self._tasks[stage], advance=count)
