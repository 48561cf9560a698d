"""The one exception tree of scribe-eval.

Every error this package raises on purpose is a ``ScribeEvalError``; catch that to catch them all.
The command line turns one into a single ``Error: ...`` line and a non-zero exit.

```
ScribeEvalError
├── ConfigError               bad experiment/gate/settings file or option
├── DatasetError              a dataset manifest or its files are unusable
├── TemplateError             a template file is invalid or unknown
├── APIError                  anything that went wrong talking to the API
│   ├── TransportError        no HTTP answer: connection refused, dropped, timed out
│   └── APIStatusError        an HTTP error answer (.status_code, .request_id, .detail)
│       ├── AuthenticationError   401/403 after re-authenticating once
│       ├── NotFoundError         404 (and the vendor's 500 for an unknown template key)
│       ├── RateLimitError        429 after every retry (throttled or balance exhausted)
│       └── ServerError           5xx after every retry
├── TranscriptFailedError     the API finished a transcript with status "failed" or never finished
├── AudioError                audio that is empty, not audio, or cannot be decoded
├── EngineError               an emulator engine is missing its weights or cannot do what was asked
├── MetricError               inputs a metric cannot score (e.g. an unknown normaliser)
├── MissingDependencyError    an optional extra (or a package it needs) is not installed
└── StoreError                the run store is unreadable, locked or from a newer version
    └── RunLockedError        another live process holds the run's lease
```

Failures that are not ours to raise (a damaged SQLite file, a file that is not UTF-8, a missing
extra, an unreadable path) reach the command line as standard-library exceptions. ``user_error``
turns each kind into the matching error of this tree with a message that names the problem and the
fix, so the CLI boundary shows one line for them too and a traceback only under ``--debug``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Self

__all__ = [
    "APIError",
    "APIStatusError",
    "AudioError",
    "AuthenticationError",
    "ConfigError",
    "DatasetError",
    "EngineError",
    "MetricError",
    "MissingDependencyError",
    "NotFoundError",
    "RateLimitError",
    "RunLockedError",
    "ScribeEvalError",
    "ServerError",
    "StoreError",
    "TemplateError",
    "TranscriptFailedError",
    "TransportError",
    "user_error",
]


class ScribeEvalError(Exception):
    """Base class of every error scribe-eval raises on purpose.

    Attributes:
        run_wide: True when every other call of a run would fail the same way (credentials
            refused, host unreachable, TLS, an unusable URL): a run stops after a few of these
            instead of failing each cell on its own.
    """

    run_wide: bool = False

    def __init__(self, message: str) -> None:
        if not message:
            raise ValueError("a ScribeEvalError needs a message that says what happened")
        super().__init__(message)
        self.message = message

    @classmethod
    def of_problems(cls, what: str, problems: Sequence[str], *, source: str = "") -> Self:
        """One error for every problem found in one input, each problem one line with its fix.

        One problem is one line, ``invalid experiment file: x.yaml:3: ...``. Several get a
        one-line header naming the input and how many there are, then one indented line each:
        the first line a terminal shows is always a whole sentence (the CLI prints ``Error:``
        before it).
        """
        lines = [p for p in problems if p]
        if len(lines) == 1:
            return cls(f"invalid {what}: {lines[0]}")
        named = f"{what} {source}" if source else what
        header = f"invalid {named}: {len(lines)} problems, one per line below; fix each"
        return cls("\n".join([header, *(f"  {line}" for line in lines)]))


class ConfigError(ScribeEvalError):
    """An experiment, gate or settings value is missing or invalid."""

    run_wide = True


class DatasetError(ScribeEvalError):
    """A dataset manifest or one of its files cannot be used."""


class TemplateError(ScribeEvalError):
    """A template file is invalid, or names a template or section the target lacks."""


class APIError(ScribeEvalError):
    """Talking to the ambient-documentation API failed.

    Attributes:
        call: The call that failed (``METHOD /path/{template}``, as counted), when the client
            knows it: a caller tells a call's own failure from that of a look-up it made.
    """

    call: str | None = None


class TransportError(APIError):
    """No HTTP answer arrived: the connection failed, dropped or timed out."""


class APIStatusError(APIError):
    """The API answered with an error status.

    Attributes:
        status_code: The HTTP status of the (last) answer.
        request_id: The vendor's ``requestid`` from the error body, when it sent one.
        detail: The vendor's human-readable explanation, when it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        request_id: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.request_id = request_id
        self.detail = detail


class AuthenticationError(APIStatusError):
    """The credentials were refused (401 after one re-authentication, or 403)."""

    run_wide = True


class NotFoundError(APIStatusError):
    """The resource does not exist (404, or the vendor's 500 for an unknown template key)."""


class RateLimitError(APIStatusError):
    """The API kept answering 429 after every retry (throttling or an exhausted balance)."""


class ServerError(APIStatusError):
    """The API kept answering 5xx after every retry."""


class TranscriptFailedError(APIError):
    """A transcript finished with status ``failed``, or did not finish before the deadline."""


class AudioError(ScribeEvalError):
    """Audio is empty, is not audio, or cannot be decoded (the emulator answers 400)."""


class EngineError(ScribeEvalError):
    """An emulator engine lacks verified weights, or cannot serve the request (e.g. language)."""


class MetricError(ScribeEvalError):
    """A metric was asked for something it cannot compute (unknown normaliser, bad input)."""


class MissingDependencyError(ScribeEvalError):
    """A module the command needs is not installed (usually an extra such as ``emulator``)."""


class StoreError(ScribeEvalError):
    """The run store cannot be opened, read or migrated."""


class RunLockedError(StoreError):
    """Another process holds the run's lease (its host, pid and since are in the message)."""


#: The distribution whose metadata names the extras (``pip install 'ambient-scribe-eval[x]'``).
_DISTRIBUTION = "ambient-scribe-eval"


def user_error(exc: BaseException) -> ScribeEvalError | None:
    """The error of this tree that ``exc`` means for a user; None when it is a bug of ours.

    A ``ScribeEvalError`` is returned as it is. A damaged store, a file that is not UTF-8, a
    missing module, an unreadable path, bad YAML/JSON/CSV text or an invalid value become one-line
    errors naming the problem and the fix.
    """
    if isinstance(exc, ScribeEvalError):
        return exc
    for translate in _TRANSLATORS:
        translated = translate(exc)
        if translated is not None:
            translated.__cause__ = exc
            return translated
    return None


def _first_line(text: object) -> str:
    return str(text).strip().splitlines()[0] if str(text).strip() else "no detail given"


def _missing_module(exc: BaseException) -> ScribeEvalError | None:
    if not isinstance(exc, ModuleNotFoundError) or not exc.name:
        return None
    top = exc.name.split(".")[0]
    if top == "scribe_eval":
        return None
    extra = _extra_providing(top)
    if extra == "":
        return MissingDependencyError(
            f"the package providing module {top!r} is missing from this install; reinstall: "
            f"pip install --force-reinstall {_DISTRIBUTION}"
        )
    if extra is not None:
        return MissingDependencyError(
            f"this command needs the {extra!r} extra (module {top!r} is not installed); "
            f"install it: pip install '{_DISTRIBUTION}[{extra}]'"
        )
    return MissingDependencyError(
        f"module {top!r} is not installed; install the package that provides it "
        f"(e.g. pip install {top}) or reinstall '{_DISTRIBUTION}[emulator]'"
    )


def _extra_providing(module: str) -> str | None:
    """The extra whose requirement provides ``module``; "" for a base dependency; None unknown."""
    # Imported here: only a failing command pays for reading the package metadata.
    from importlib import metadata

    try:
        requirements = metadata.requires(_DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        return None
    wanted = _normalise(module)
    found: list[str] = []
    for line in requirements:
        name = re.match(r"[A-Za-z0-9._-]+", line)
        if name is None or _normalise(name.group()) != wanted:
            continue
        extra = re.search(r"""extra\s*==\s*["']([^"']+)["']""", line)
        found.append(extra.group(1) if extra else "")
    # A base requirement wins, then any extra but the developers' own.
    for choice in sorted(found, key=lambda e: (e != "", e == "dev")):
        return choice
    return None


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _damaged_store(exc: BaseException) -> ScribeEvalError | None:
    import sqlite3

    if not isinstance(exc, sqlite3.Error):
        return None
    detail = _first_line(exc)
    if "locked" in detail or "busy" in detail:
        return StoreError(
            f"the run store is locked by another process ({detail}); wait for it to finish "
            "or use another --runs-dir"
        )
    return StoreError(
        f"the run store is damaged or not a scribe-eval store ({detail}); restore it from a "
        "backup, or point --runs-dir (SCRIBE_EVAL_RUNS_DIR) at another folder"
    )


def _team_store(exc: BaseException) -> ScribeEvalError | None:
    if not type(exc).__module__.startswith(("psycopg", "psycopg_pool")):
        return None
    return StoreError(
        f"the team store failed ({_first_line(exc)}); check --store/SCRIBE_EVAL_STORE and "
        "that the PostgreSQL server is up"
    )


def _undecodable_text(exc: BaseException) -> ScribeEvalError | None:
    if isinstance(exc, UnicodeDecodeError):
        byte = exc.object[exc.start : exc.start + 1].hex()
        return ConfigError(
            f"a file is not {exc.encoding.upper()} text (byte 0x{byte} at offset {exc.start}: "
            f"{exc.reason}); save it as UTF-8"
        )
    if isinstance(exc, UnicodeEncodeError):
        return ConfigError(
            f"the terminal cannot show {exc.object[exc.start : exc.end]!r} ({exc.encoding}); "
            "set PYTHONIOENCODING=utf-8 or a UTF-8 locale"
        )
    return None


def _os_error(exc: BaseException) -> ScribeEvalError | None:
    if not isinstance(exc, OSError) or isinstance(exc, ConnectionError | TimeoutError):
        return None
    where = f": {exc.filename}" if exc.filename is not None else ""
    if isinstance(exc, FileNotFoundError):
        return ConfigError(f"no such file or folder{where}; check the path")
    if isinstance(exc, PermissionError):
        return ConfigError(f"permission denied{where}; check the file's permissions")
    if isinstance(exc, IsADirectoryError):
        return ConfigError(f"a folder was given where a file is needed{where}; name the file")
    if isinstance(exc, NotADirectoryError):
        return ConfigError(f"a file was given where a folder is needed{where}; name a folder")
    reason = exc.strerror or _first_line(exc)
    return ConfigError(f"{reason}{where}; fix the file system problem and run the command again")


def _network_error(exc: BaseException) -> ScribeEvalError | None:
    if isinstance(exc, ConnectionError | TimeoutError):
        return TransportError(
            f"the connection failed ({type(exc).__name__}: {_first_line(exc)}); check the "
            "address and that the server is up"
        )
    return None


def _bad_text(exc: BaseException) -> ScribeEvalError | None:
    module = type(exc).__module__
    if module.startswith("yaml"):
        return ConfigError(f"not valid YAML ({' '.join(str(exc).split())}); fix the file")
    if module == "json" or type(exc).__name__ == "JSONDecodeError":
        return ConfigError(f"not valid JSON ({_first_line(exc)}); fix the file")
    if module == "_csv":
        return ConfigError(f"not valid CSV ({_first_line(exc)}); fix the file")
    if module.startswith("pydantic") and hasattr(exc, "errors"):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "(value)"
        return ConfigError(f"invalid value for {where}: {first.get('msg')}; fix it")
    return None


_TRANSLATORS = (
    _missing_module,
    _damaged_store,
    _team_store,
    _undecodable_text,
    _network_error,
    _os_error,
    _bad_text,
)
