"""Progress bars per stage (transcripts, documents) with counts, errors and ETA."""

from __future__ import annotations

from types import TracebackType
from typing import Literal

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


class RunProgress:
    """Counts finished cells per stage; draws rich bars when ``enabled``."""

    def __init__(self, transcripts: int, documents: int, *, enabled: bool = True) -> None:
        self.totals = {"transcripts": transcripts, "documents": documents}
        self.done = {"transcripts": 0, "documents": 0}
        self.errors = {"transcripts": 0, "documents": 0}
        self._bars: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        if enabled:
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

    def advance(self, stage: Stage, *, error: bool = False) -> None:
        """One cell of ``stage`` finished (failed when ``error``)."""
        self.done[stage] += 1
        self.errors[stage] += int(error)
        if self._bars is not None:
            self._bars.update(self._tasks[stage], advance=1, errors=self.errors[stage])

    def skip(self, *, transcripts: int = 0, documents: int = 0) -> None:
        """Cells already finished by an earlier attempt (a resumed run)."""
        for stage, count in (("transcripts", transcripts), ("documents", documents)):
            if count:
                self.done[stage] += count
                if self._bars is not None:
                    self._bars.update(self._tasks[stage], advance=count)
