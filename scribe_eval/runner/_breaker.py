"""Stop a run that cannot work instead of failing every cell on its own.

Missing or refused credentials, a host that does not answer, a TLS failure or an unusable URL
fail every call of a run the same way. Without a breaker a 400-cell run against a dead host
spends minutes failing each cell with its own retries and exits with the reason buried in the
store. The breaker trips after ``threshold`` run-wide failures of one kind with no cell succeeding
in between, and says the cause and the fix in one line.
"""

from __future__ import annotations

from scribe_eval.errors import ScribeEvalError

#: Run-wide failures of one kind, with no success between them, that stop a run.
THRESHOLD = 3


class RunWideBreaker:
    """Counts consecutive run-wide failures of one kind; ``failure`` says when to stop."""

    def __init__(self, threshold: int = THRESHOLD) -> None:
        if threshold < 1:
            raise ValueError("a breaker needs a threshold of at least 1")
        self.threshold = threshold
        self._kind: str | None = None
        self._count = 0
        self.tripped: str | None = None

    def success(self) -> None:
        """A cell succeeded: whatever failed before was not the whole run's problem."""
        self._kind = None
        self._count = 0

    def failure(self, exc: BaseException) -> str | None:
        """Record a failed cell; the one-line reason to stop the run once the breaker trips."""
        if not (isinstance(exc, ScribeEvalError) and exc.run_wide):
            return None
        kind = type(exc).__name__
        if kind != self._kind:
            self._kind, self._count = kind, 0
        self._count += 1
        if self._count >= self.threshold and self.tripped is None:
            self.tripped = (
                f"stopped after {self._count} identical failures that every call would hit: "
                f"{exc.message}"
            )
        return self.tripped
