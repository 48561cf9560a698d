"""Errors of the judge stage, all under ``ScribeEvalError`` (``errors.py`` keeps the tree).

```
ScribeEvalError
└── JudgeError                 the judge could not give a usable answer (.task, .kind, .attempts)
    ├── JudgeOutputError       malformed or off-schema JSON on every attempt
    ├── JudgeRefusalError      the model refused on every attempt
    └── JudgeHTTPError         an HTTP error answer or no answer (.status_code; None: transport)
```
"""

from __future__ import annotations

from typing import Literal

from scribe_eval.errors import ScribeEvalError

JudgeErrorKind = Literal["malformed", "refused", "http", "transport", "rate_limited", "config"]


class JudgeError(ScribeEvalError):
    """The judge could not give a usable answer for one task.

    Attributes:
        task: The judge task (``claims``, ``content_rules``, ``rubric``), or ``""`` for set-up.
        kind: What went wrong, a closed set (``malformed``, ``refused``, ``http`` ...).
        attempts: How many calls were made before giving up.
    """

    def __init__(self, message: str, *, task: str, kind: JudgeErrorKind, attempts: int) -> None:
        super().__init__(message)
        self.task = task
        self.kind: JudgeErrorKind = kind
        self.attempts = attempts


class JudgeOutputError(JudgeError):
    """The model's answer was not JSON of the task's schema on any attempt."""


class JudgeRefusalError(JudgeError):
    """The model refused the task on every attempt."""


class JudgeHTTPError(JudgeError):
    """The endpoint answered an error status (``status_code``) or not at all (None)."""

    def __init__(
        self, message: str, *, task: str, kind: JudgeErrorKind, attempts: int,
        status_code: int | None,
    ) -> None:  # fmt: skip
        super().__init__(message, task=task, kind=kind, attempts=attempts)
        self.status_code = status_code
