"""With MICROSOFT_APP_ID set, checking a token never holds up the server.

The SDK fetches the Bot Framework's signing keys with blocking calls that have no timeout, on the first token it
checks and at least daily after. A key server on loopback that answers slowly stands in for a slow or unreachable one.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from botframework.connector.auth import ChannelValidation
from cryptography.hazmat.primitives.asymmetric import rsa

import adapters.teams.tokens
from tests.teams.conftest import APP_ID, TeamsClient, thread

ROOM = thread("1700000000001")
SLOW = 2.0


class SlowKeys(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        time.sleep(SLOW)
        self.send_response(503)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_key_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowKeys)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # A fresh address: the SDK keeps the keys of each address it fetched from, and this one it never did.
    url = f"http://127.0.0.1:{server.server_address[1]}/{time.monotonic_ns()}/.well-known/openidconfiguration"
    monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", url)
    yield
    server.shutdown()
    server.server_close()


def forged_token() -> str:
    """Shaped like a Bot Framework token, signed by a key of our own: checking it needs the Bot Framework's keys."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {"iss": "https://api.botframework.com", "aud": APP_ID, "nbf": now - 10, "exp": now + 600}
    return "Bearer " + jwt.encode(claims, key, algorithm="RS256", headers={"kid": "not-a-bot-framework-key"})


@pytest.mark.usefixtures("slow_key_server")
async def test_a_slow_key_server_holds_up_only_the_request_being_checked(authenticated: TeamsClient) -> None:
    token = forged_token()
    started = time.monotonic()
    checked = asyncio.create_task(
        authenticated.post(authenticated.message("open Forged", conversation=ROOM), {"Authorization": token}))
    await asyncio.sleep(0.3)  # the check has begun
    async with authenticated.session.head(f"{authenticated.url}/api/messages") as response:
        assert response.status == 200
    assert time.monotonic() - started < SLOW / 2
    assert (await checked)[0] == 401
    assert authenticated.incidents() == []


@pytest.mark.usefixtures("slow_key_server")
async def test_a_token_that_cannot_be_checked_in_time_gets_503_and_changes_nothing(
    authenticated: TeamsClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(adapters.teams.tokens, "CHECK_TIMEOUT", 0.3)
    status, answer = await authenticated.post(
        authenticated.message("open Forged", conversation=ROOM), {"Authorization": forged_token()})
    # Teams sends the activity again later; a verdict of 401 would have been a guess.
    assert status == 503 and "try again" in answer["error"]
    assert authenticated.incidents() == []
