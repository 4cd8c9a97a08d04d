"""A fake Slack Web API on loopback: records every call and answers like Slack does.

It also serves response URLs (`/respond/<id>`) and a Socket Mode WebSocket (`/socket`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

BOT_USER = "UBOT"
TEAM = "T111"
MESSAGE_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral")


def _text_size(item: Any) -> int:
    if isinstance(item, dict):
        return sum(len(v) if k == "text" and isinstance(v, str) else _text_size(v) for k, v in item.items())
    if isinstance(item, list):
        return sum(_text_size(v) for v in item)
    return 0


def _object_problem(obj: Any, limit: int, kinds: tuple[str, ...] = ("plain_text", "mrkdwn")) -> bool:
    return not isinstance(obj, dict) or obj.get("type") not in kinds or not 0 < len(obj.get("text", "")) <= limit


def _block_problem(block: dict[str, Any]) -> bool:
    kind = block.get("type")
    if len(block.get("block_id", "")) > 255:
        return True
    if kind == "header":
        return _object_problem(block.get("text"), 150, ("plain_text",))
    if kind == "section":
        fields = block.get("fields", [])
        if "text" not in block and not fields:
            return True
        if "text" in block and _object_problem(block["text"], 3000):
            return True
        if len(fields) > 10 or any(_object_problem(f, 2000) for f in fields):
            return True
        accessory = block.get("accessory") or {}
        return "placeholder" in accessory and _object_problem(accessory["placeholder"], 150, ("plain_text",))
    if kind == "actions":
        elements = block.get("elements", [])
        return not 0 < len(elements) <= 25 or any(
            _object_problem(e.get("text"), 75, ("plain_text",)) or len(e.get("value", "")) > 2000
            or len(e.get("action_id", "")) > 255 for e in elements
        )
    if kind == "context":
        return not 0 < len(block.get("elements", [])) <= 10
    if kind == "rich_text":
        # Slack publishes no number for rich_text; this fake holds it to a section's 3,000 characters.
        sections = block.get("elements", [])
        texts = [e for s in sections for e in s.get("elements", [])]
        return not texts or _text_size(block) > 3000 or any(e.get("type") == "text" and not e.get("text") for e in texts)
    return kind != "divider"


def refusal(text: str, blocks: list[dict[str, Any]]) -> str | None:
    """The error Slack answers for a message over its limits (`msg_too_long`, `invalid_blocks`), else None.

    Slack refuses a `text` over 40,000 characters; this fake holds all the text of the blocks to the same bound.
    """
    if len(text) > 40_000 or _text_size(blocks) > 40_000:
        return "msg_too_long"
    if len(blocks) > 50 or any(_block_problem(b) for b in blocks):
        return "invalid_blocks"
    # Slack refuses a message whose blocks repeat a block_id.
    ids = [b["block_id"] for b in blocks if "block_id" in b]
    if len(ids) != len(set(ids)):
        return "invalid_blocks"
    return None


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    answer: dict[str, Any] = field(default_factory=dict)
    # The bearer token the call was made with (Authorization header), None when it had none.
    token: str | None = None

    def blocks(self) -> list[dict[str, Any]]:
        value = self.params.get("blocks") or []
        return json.loads(value) if isinstance(value, str) else value


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    # method -> Slack error code to answer with (`ok: false`), e.g. {"conversations.create": "missing_scope"}
    errors: dict[str, str] = field(default_factory=dict)
    # method -> Slack error code to answer the next call with, once
    errors_once: dict[str, str] = field(default_factory=dict)
    # method -> seconds of Retry-After to answer 429 with, once
    rate_limited: dict[str, int] = field(default_factory=dict)
    # Messages refused for breaking Slack's limits: a test expects none.
    refused: list[Call] = field(default_factory=list)
    taken_names: set[str] = field(default_factory=set)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    # OAuth code -> (team id, bot token) that oauth.v2.access exchanges it for
    oauth_codes: dict[str, tuple[str, str]] = field(default_factory=dict)
    # e-mail address (lowercase) -> user id, for users.lookupByEmail
    emails: dict[str, str] = field(default_factory=dict)
    url: str = ""
    # Methods whose connection is cut before any answer (a network failure, not an error from Slack).
    dropped: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self.connected = asyncio.Event()
        self.changed = asyncio.Event()

    # What tests ask.

    def called(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        async def enough() -> None:
            while len(self.called(method)) < count:
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(enough(), timeout)
        return self.called(method)

    def rate_limit_once(self, method: str, retry_after: int = 1) -> None:
        self.rate_limited[method] = retry_after

    # The server.

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/{method}", self.api)
        app.router.add_get("/api/{method}", self.api)  # read methods such as users.info go as GET
        app.router.add_post("/respond/{id}", self.respond)
        app.router.add_post("/upload/{id}", self.upload)
        app.router.add_get("/socket", self.socket)
        return app

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.method == "GET":
            pass
        elif request.content_type == "application/json":
            params.update(await request.json())
        else:
            params.update(await request.post())
        authorization = request.headers.get("Authorization", "")
        token = authorization.removeprefix("Bearer ") if authorization.startswith("Bearer ") else None
        call = Call(method, params, token=token)
        self._record(call)
        if method in self.dropped and request.transport is not None:
            request.transport.abort()
            return web.Response(status=500)  # never reaches the client: the connection is gone
        if method in self.rate_limited:
            retry_after = self.rate_limited.pop(method)
            headers = {"Retry-After": str(retry_after)}
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers=headers)
        if method in self.errors:
            return web.json_response({"ok": False, "error": self.errors[method]})
        if method in self.errors_once:
            return web.json_response({"ok": False, "error": self.errors_once.pop(method)})
        if method in MESSAGE_METHODS and (code := refusal(str(params.get("text") or ""), call.blocks())):
            self.refused.append(call)
            return web.json_response({"ok": False, "error": code})
        call.answer = self.answer(method, params, token)
        return web.json_response(call.answer)

    def answer(self, method: str, params: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        n = next(self._ids)
        if method == "auth.test":
            team = self.team_of(token)
            return {"ok": True, "user_id": BOT_USER, "bot_id": "B111", "team_id": team, "team": "Team", "user": "crisisbot",
                    "url": "https://team.slack.com/"}
        if method == "oauth.v2.access":
            if params.get("code") not in self.oauth_codes:
                return {"ok": False, "error": "invalid_code"}
            team, bot_token = self.oauth_codes[params["code"]]
            return {"ok": True, "access_token": bot_token, "token_type": "bot", "scope": "chat:write,commands",
                    "bot_user_id": BOT_USER, "app_id": "A111", "team": {"id": team, "name": f"Team {team}"},
                    "enterprise": None, "is_enterprise_install": False, "authed_user": {"id": "W111"}}
        if method == "conversations.create":
            name = params["name"]
            if name in self.taken_names:
                return {"ok": False, "error": "name_taken"}
            self.taken_names.add(name)
            return {"ok": True, "channel": {"id": f"CROOM{n}", "name": name, "is_channel": True}}
        if method in ("chat.postMessage", "chat.update"):
            ts = params.get("ts") or f"1700000000.{n:06d}"
            message = {"text": params.get("text"), "ts": ts}
            return {"ok": True, "channel": params.get("channel"), "ts": ts, "message": message}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000000.{n:06d}"}
        if method == "views.open":
            return {"ok": True, "view": {"id": f"V{n}"}}
        if method == "users.info":
            user = params["user"]
            # Users whose id starts with UFR are set to French in Slack; everyone else to US English.
            locale = "fr-FR" if user.startswith("UFR") else "en-US"
            tz = "Europe/Paris" if user.startswith("UFR") else None
            found = {"id": user, "name": user.lower(), "real_name": f"Person {user}",
                     "profile": {"display_name": f"name-{user.lower()}"}, **({"tz": tz} if tz else {})}
            # Slack gives the address with scope users:read.email: the members of `emails` have one.
            email = next((address for address, member in self.emails.items() if member == user), None)
            if email:
                found["profile"]["email"] = email
            asked = params.get("include_locale") in (True, "1", "true")
            return {"ok": True, "user": {**found, **({"locale": locale} if asked else {})}}
        if method == "users.lookupByEmail":
            # Only the workspace's members are found, by the address Slack holds (case aside).
            user = self.emails.get(str(params.get("email", "")).lower())
            if user is None:
                return {"ok": False, "error": "users_not_found"}
            return {"ok": True, "user": {"id": user, "name": user.lower()}}
        if method == "files.getUploadURLExternal":
            # Slack answers a one-time URL on its file host; here, this server.
            return {"ok": True, "upload_url": f"{self.url}/upload/F{n}", "file_id": f"F{n}"}
        if method == "files.completeUploadExternal":
            files = params["files"]
            shared = json.loads(files) if isinstance(files, str) else files
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in shared]}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.url.replace("http://", "ws://") + "/socket"}
        return {"ok": True}

    def team_of(self, token: str | None) -> str:
        return next((team for team, bot_token in self.oauth_codes.values() if bot_token == token), TEAM)

    async def upload(self, request: web.Request) -> web.Response:
        """The upload URL: takes the file's bytes and answers like Slack's file host."""
        body = await request.read()
        self._record(Call("upload", {"file_id": request.match_info["id"], "content": body.decode("utf-8")}))
        return web.Response(text=f"OK - {len(body)}")

    async def respond(self, request: web.Request) -> web.Response:
        call = Call("response_url", await request.json())
        self._record(call)
        if code := refusal(str(call.params.get("text") or ""), call.blocks()):
            self.refused.append(call)
            return web.Response(status=400, text=code)
        return web.Response(text="ok")

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self.changed.set()

    # Socket Mode.

    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A111"}})
        self.connected.set()
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self.socket_acks.append(json.loads(message.data))
                self.changed.set()
        return ws

    async def send_envelope(self, envelope: dict[str, Any]) -> None:
        await self._sockets[-1].send_json(envelope)

    async def send_raw(self, message: str) -> None:
        """A WebSocket message as given, JSON or not."""
        await self._sockets[-1].send_str(message)

    async def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        async def acked() -> dict[str, Any]:
            while True:
                for ack in self.socket_acks:
                    if ack.get("envelope_id") == envelope_id:
                        return ack
                self.changed.clear()
                await self.changed.wait()

        return await asyncio.wait_for(acked(), timeout)

    async def close_sockets(self) -> None:
        for ws in self._sockets:
            await ws.close()
