"""Cache keys: a stage's answer is stored under the hash of everything it depends on."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def content_hash(value: Any) -> str:
    """sha256 of the canonical JSON of ``value`` (sorted keys, no whitespace)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def transcript_key(target: dict[str, Any], audio_hash: str, request: dict[str, Any]) -> str:
    """The key of a transcript: target identity, audio content and the request's options.

    ``request`` is the transcript request body without ``recordingId`` (which differs per upload).
    """
    body = {k: v for k, v in request.items() if k != "recordingId"}
    return "transcript:" + content_hash({"target": target, "audio": audio_hash, "request": body})


def document_key(
    target: dict[str, Any],
    context: list[dict[str, Any]],
    template_fields: dict[str, Any],
    output_language: str,
    options: dict[str, Any],
) -> str:
    """The key of a document: target identity, the context sent, the template and options."""
    return "document:" + content_hash(
        {
            "target": target,
            "context": content_hash(context),
            "template": template_fields,
            "outputLanguage": output_language,
            "options": options,
        }
    )


def score_key(kind: str, inputs: dict[str, Any]) -> str:
    """The key of a cell's scores: everything scoring reads (see `scribe_eval.runner._score`).

    Stored in the same stage cache as the answers, under stage ``score``, so an unchanged re-run
    reads its scores instead of computing them again.
    """
    return f"score:{kind}:" + content_hash(inputs)
