"""``AmbientClient``: every endpoint of the contract on one async client."""

from __future__ import annotations

from scribe_eval.client._catalogue import CatalogueMixin
from scribe_eval.client._documents import DocumentsMixin
from scribe_eval.client._interactions import InteractionsMixin
from scribe_eval.client._transcripts import TranscriptsMixin


class AmbientClient(InteractionsMixin, TranscriptsMixin, DocumentsMixin, CatalogueMixin):
    """Async client of the ambient-documentation API (the vendor's, or the embedded emulator's).

    Policy lives here (auth, retries, polling, duplicate guards, error mapping); I/O goes through
    an injectable ``httpx.AsyncBaseTransport``. Every failure is a ``scribe_eval.errors.APIError``
    (or a ``ConfigError`` for an unusable URL); httpx errors never escape.

    Example::

        async with AmbientClient.from_settings() as client:        # SCRIBE_EVAL_* variables
            created = await client.create_interaction(body)
            recording = await client.upload_recording(created.interaction_id, Path("visit.wav"))
            transcript = await client.transcribe(created.interaction_id, transcript_request)

    Args:
        base_url: REST base ending in ``/v2`` (the vendor's or ``http://127.0.0.1:PORT/v2``).
        auth: ``ClientCredentialsAuth``, ``BearerTokenAuth`` or ``NoAuth`` (the default).
        tenant: Sent as ``Tenant-Name`` on every call when given.
        transport: The httpx transport (``MockTransport``, ``ASGITransport``); default: network.
        retry: Retry policy for failed calls; poll: polling policy for processing transcripts.
        timeout: Seconds per request (the contract's default is 60).
        sleep, clock, rng, now: Injectable waiting, monotonic clock, jitter source and wall
            clock (for ``Retry-After`` dates), so that tests never sleep.
    """
