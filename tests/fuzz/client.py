"""The fuzzer's sending side, run as its own process so that it and the server use a core each.

`python -m tests.fuzz.client URL CONNECTOR_URL SEED COUNT` posts COUNT generated requests to the server at
URL and prints one JSON line: how many got each status per generator, and up to 20 unexpected answers.
"""

from __future__ import annotations

import asyncio
import io
import json
import random
import sys
from collections import Counter

import aiohttp

from tests.fuzz.bodies import ANY, FORGED, IGNORED, MALFORMED, SlackBodies, TeamsBodies

EXPECTED = {MALFORMED: {400, 413}, FORGED: {401}, IGNORED: {200}}
WORKERS = 8


async def send(url: str, connector_url: str, seed: int, count: int) -> dict[str, object]:
    rng = random.Random(seed)
    generators = SlackBodies().generators() + TeamsBodies(connector_url).generators()
    queue = (rng.choice(generators)(rng) for _ in range(count))
    routes = {"slack": f"{url}/slack/events", "teams": f"{url}/api/messages"}
    answers: Counter[str] = Counter()
    wrong: list[str] = []

    async def worker(session: aiohttp.ClientSession) -> None:
        for request in queue:
            # aiohttp warns of large bytes bodies (written in one go), not of a file-like object.
            body = io.BytesIO(request.body) if len(request.body) > 2**16 else request.body
            async with session.post(routes[request.door], data=body, headers=request.headers) as response:
                await response.read()
            answers[f"{request.door} {request.what} -> {response.status}"] += 1
            ok = response.status < 500 if request.expect == ANY else response.status in EXPECTED[request.expect]
            if not ok and len(wrong) < 20:
                wrong.append(f"{request.door} {request.what}: {response.status} {request.body[:150]!r}")

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=WORKERS)) as session:
        await asyncio.gather(*(worker(session) for _ in range(WORKERS)))
    return {"sent": sum(answers.values()), "answers": dict(answers), "wrong": wrong}


if __name__ == "__main__":
    url, connector_url, seed, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    print(json.dumps(asyncio.run(send(url, connector_url, seed, count))))
