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
└── StoreError                the run store is unreadable, locked or from a newer version
    └── RunLockedError        another live process holds the run's lease
```
"""

from __future__ import annotations

__all__ = [
    "APIError",
    "APIStatusError",
    "AudioError",
    "AuthenticationError",
    "ConfigError",
    "DatasetError",
    "EngineError",
    "MetricError",
    "NotFoundError",
    "RateLimitError",
    "RunLockedError",
    "ScribeEvalError",
    "ServerError",
    "StoreError",
    "TemplateError",
    "TranscriptFailedError",
    "TransportError",
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


class ConfigError(ScribeEvalError):
    """An experiment, gate or settings value is missing or invalid."""

    run_wide = True


class DatasetError(ScribeEvalError):
    """A dataset manifest or one of its files cannot be used."""


class TemplateError(ScribeEvalError):
    """A template file is invalid, or names a template or section the target lacks."""


class APIError(ScribeEvalError):
    """Talking to the ambient-documentation API failed."""


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


class StoreError(ScribeEvalError):
    """The run store cannot be opened, read or migrated."""


class RunLockedError(StoreError):
    """Another process holds the run's lease (its host, pid and since are in the message)."""
