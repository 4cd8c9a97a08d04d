"""The HTTP side of the door: POST /slack/events (verified and read here, then handed to its listener, straight or
through Bolt: see `adapters.slack.direct`) and the OAuth pages."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.inbound import Malformed
from adapters.slack import inbound
from adapters.slack.app import SlackDoor
from adapters.slack.direct import dispatch, takes_directly

log = logging.getLogger("crisisbot.slack")

MAX_AGE_SECONDS = 5 * 60


class SignatureCheck:
    """Slack's v0 request signature: HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret."""

    def __init__(self, signing_secret: str, clock: Callable[[], float] = time.time) -> None:
        self._secret = signing_secret.encode()
        self.clock = clock

    def problem(self, body: bytes, timestamp: str | None, signature: str | None) -> str | None:
        """Why the request cannot be trusted, or None."""
        if not timestamp or not signature:
            return "missing X-Slack-Signature or X-Slack-Request-Timestamp header"
        # ASCII digits only, and few of them: str.isdigit() also takes "²", which int() refuses.
        readable = timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12
        if not readable or abs(self.clock() - int(timestamp)) > MAX_AGE_SECONDS:
            return "stale request: X-Slack-Request-Timestamp is more than 5 minutes away from now"
        digest = hmac.new(self._secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
        # Compared as bytes: compare_digest raises TypeError for str with letters beyond ASCII, which anyone can send
        # (aiohttp keeps undecodable header bytes as surrogates, hence surrogateescape).
        if not hmac.compare_digest(b"v0=" + digest.encode(), signature.encode("utf-8", "surrogateescape")):
            return "invalid signature: it does not match SLACK_SIGNING_SECRET"
        return None


def events_handler(door: SlackDoor, check: SignatureCheck) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def slack_events(request: web.Request) -> web.Response:
        body = await request.read()
        headers = request.headers
        problem = check.problem(body, headers.get("X-Slack-Request-Timestamp"), headers.get("X-Slack-Signature"))
        if problem:
            # Neither the body nor the signature is logged: both can carry what an attacker wants echoed.
            log.warning("refused a request on %s from %s: %s", request.path, request.remote, problem)
            return web.json_response({"error": problem}, status=401)
        try:
            payload = inbound.read(body, headers.get("Content-Type", ""))
            ignored = inbound.check(payload)
            if ignored is not None:
                log.info("ignored a Slack request: no listener takes %s", ignored.reason)
                return web.json_response({"ignored": ignored.reason})
            bolt_request = None if takes_directly(door, payload) else bolt_request_of(payload, request)
        except Malformed as error:
            log.warning("refused a malformed Slack request from %s: %s", request.remote, error)
            return web.json_response({"error": str(error)}, status=400)
        with door.work.acknowledgement():
            if bolt_request is None:
                return await to_aiohttp_response(await dispatch(door, payload))
            return await to_aiohttp_response(await door.bolt.async_dispatch(bolt_request))

    return slack_events


def bolt_request_of(payload: dict[str, object], request: web.Request) -> AsyncBoltRequest:
    # Bolt gets the payload as read and checked here rather than the raw body it would parse again with its
    # own guesses (a slash command whose text contains "payload" would reach it as an empty request).
    # "socket_mode" is only how Bolt takes a parsed body; the signature was verified above.
    try:
        return AsyncBoltRequest(body=payload, query=request.query_string, headers=dict(request.headers),
                                mode="socket_mode")
    except (AttributeError, TypeError, KeyError, IndexError, ValueError) as error:
        # Bolt reads ids (team, enterprise, authorizations...) the listeners never use; one of the wrong type.
        raise Malformed(f"a field Bolt reads has the wrong type ({type(error).__name__})") from None


def oauth_handler(door: SlackDoor) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def slack_oauth(request: web.Request) -> web.Response:
        flow = door.bolt.oauth_flow
        assert flow is not None
        bolt_request = AsyncBoltRequest(body="", query=request.query_string, headers=dict(request.headers))
        if request.path == flow.install_path:
            return await to_aiohttp_response(await flow.handle_installation(bolt_request))
        return await to_aiohttp_response(await flow.handle_callback(bolt_request))

    return slack_oauth
