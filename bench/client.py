"""What the client's policy layer costs per call, against bare httpx on the same transport.

Both sides send ``GET /interactions/{id}`` to an ``httpx.MockTransport`` that answers at once, so
the figure is pure client-side overhead: auth header, tenant header, retry loop, logging check,
call counting, error mapping and pydantic parsing of the answer. The peer is ``httpx.AsyncClient``
with ``Interaction.model_validate_json`` on the same answer (parsing included on both sides).

Run: ``.venv/bin/python bench/client.py [--calls N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import httpx

from scribe_eval.api import Interaction
from scribe_eval.client import AmbientClient, BearerTokenAuth

ANSWER = (
    b'{"id": "4a1f0c52-0000-4000-8000-000000000000", "assignedUserId": null,'
    b' "encounter": {"identifier": "cell-1", "status": "planned", "type": "consultation"},'
    b' "createdAt": "2026-11-24T03:00:00Z", "updatedAt": "2026-11-24T03:00:00Z"}'
)
IID = "4a1f0c52-0000-4000-8000-000000000000"


def _transport() -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(200, content=ANSWER))


async def _bare(calls: int) -> float:
    async with httpx.AsyncClient(base_url="https://api.test/v2/", transport=_transport()) as http:
        started = time.perf_counter()
        for _ in range(calls):
            response = await http.get(
                f"/interactions/{IID}",
                headers={"Authorization": "Bearer t", "Tenant-Name": "acme"},
            )
            response.raise_for_status()
            Interaction.model_validate_json(response.content)
        return time.perf_counter() - started


async def _client(calls: int) -> float:
    async with AmbientClient(
        "https://api.test/v2", auth=BearerTokenAuth("t"), tenant="acme", transport=_transport()
    ) as client:
        started = time.perf_counter()
        for _ in range(calls):
            await client.get_interaction(IID)
        assert client.calls.total == calls
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    calls = parser.parse_args().calls
    asyncio.run(_bare(200))  # warm-up of both paths (imports, pydantic schema build)
    asyncio.run(_client(200))
    # Alternate the two so that a busy machine slows both alike; keep the best of five each.
    bare_runs, our_runs = [], []
    for _ in range(5):
        bare_runs.append(asyncio.run(_bare(calls)))
        our_runs.append(asyncio.run(_client(calls)))
    bare, ours = min(bare_runs), min(our_runs)
    print(f"calls per run: {calls} (best of 5, interleaved)")
    print(f"bare httpx + parse : {bare / calls * 1e6:8.1f} us/call")
    print(f"AmbientClient      : {ours / calls * 1e6:8.1f} us/call")
    print(f"ratio client/bare  : {ours / bare:8.2f}x")
    print(f"overhead per call  : {(ours - bare) / calls * 1e6:8.1f} us")


if __name__ == "__main__":
    main()
