"""A Bot Connector on loopback: records every activity the bot sends, replies and updates.

It answers like the real service (`{"id": ...}` for each message) and can be told to answer an error next.
Like the real one, it refuses an activity over about 28 KB with 413.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

MAX_ACTIVITY_BYTES = 28 * 1024


def block_text(block: dict[str, Any]) -> str:
    """What a text block shows: a RichTextBlock's runs joined (a TextRun is never read as Markdown)."""
    if block.get("type") == "RichTextBlock":
        return "".join(run["text"] for run in block["inlines"])
    return str(block.get("text", ""))


def card_title(card: dict[str, Any]) -> str:
    return block_text(card["body"][0])


def card_lines(card: dict[str, Any]) -> list[str]:
    return [block_text(b) for b in card["body"] if b["type"] in ("RichTextBlock", "TextBlock")]


def card_facts(card: dict[str, Any]) -> dict[str, str]:
    """The card's fields: blocks that start with a bold label (the title is bold too, but larger)."""
    found = {}
    for block in card["body"]:
        runs = block.get("inlines") or []
        if block["type"] == "RichTextBlock" and runs and runs[0].get("weight") == "Bolder" and "size" not in runs[0]:
            found[runs[0]["text"].rstrip(": \xa0")] = "".join(r["text"] for r in runs[1:])
    return found


@dataclass
class Call:
    kind: str  # "send", "reply", "update", "member", "create"
    conversation: str
    activity: dict[str, Any]
    activity_id: str | None = None  # the id replied to or updated
    activity_bytes: bytes = b""  # the body as it came

    @property
    def cards(self) -> list[dict[str, Any]]:
        attachments = self.activity.get("attachments") or []
        return [a["content"] for a in attachments if a.get("contentType", "").endswith("adaptive")]

    @property
    def text(self) -> str:
        return self.activity.get("text") or ""


@dataclass
class FakeConnector:
    calls: list[Call] = field(default_factory=list)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)
    url: str = ""
    _runner: web.AppRunner | None = None
    _next_id: int = 0

    def fail_next(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.failures.append((status, headers or {}))

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._send)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._reply)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._update)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what the bot did ------------------------------------------------------------------------

    def of(self, kind: str, conversation: str | None = None) -> list[Call]:
        return [c for c in self.calls if c.kind == kind and (conversation is None or c.conversation == conversation)]

    def texts(self, conversation: str | None = None) -> list[str]:
        return [c.text for c in self.calls if c.kind in ("send", "reply") and c.text
                and (conversation is None or c.conversation == conversation)]

    def clear(self) -> None:
        self.calls.clear()

    # -- the service -----------------------------------------------------------------------------

    def _failure(self, body: bytes = b"") -> web.Response | None:
        if len(body) > MAX_ACTIVITY_BYTES:
            self.refused.append(413)
            return web.json_response({"error": {"code": "MessageSizeTooBig", "message": "too big"}}, status=413)
        if not self.failures:
            return None
        status, headers = self.failures.pop(0)
        self.refused.append(status)
        return web.json_response({"error": {"code": "Throttled", "message": "slow down"}}, status=status, headers=headers)

    def _new_id(self) -> str:
        self._next_id += 1
        return f"msg-{self._next_id}"

    async def _send(self, request: web.Request) -> web.Response:
        if (failed := self._failure(await request.read())) is not None:
            return failed
        new_id = self._new_id()
        body = {**await request.json(), "id": new_id}
        self.calls.append(Call("send", request.match_info["conversation"], body, None, await request.read()))
        return web.json_response({"id": new_id}, status=201)

    async def _reply(self, request: web.Request) -> web.Response:
        if (failed := self._failure(await request.read())) is not None:
            return failed
        new_id = self._new_id()
        body = {**await request.json(), "id": new_id}
        self.calls.append(
            Call("reply", request.match_info["conversation"], body, request.match_info["activity"], await request.read()))
        return web.json_response({"id": new_id}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        if (failed := self._failure(await request.read())) is not None:
            return failed
        activity_id = request.match_info["activity"]
        self.calls.append(
            Call("update", request.match_info["conversation"], await request.json(), activity_id, await request.read()))
        return web.json_response({"id": activity_id})

    async def _member(self, request: web.Request) -> web.Response:
        wanted = request.match_info["member"]
        # Teams finds a member by their Teams id or their Entra object id.
        member = self.members.get(wanted) or next(
            (m for m in self.members.values() if m.get("aadObjectId") == wanted), None)
        self.calls.append(Call("member", request.match_info["conversation"], {}, request.match_info["member"]))
        if member is None:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation", "message": "no"}}, status=404)
        return web.json_response(member)

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        conversation = f"a:personal-{body['members'][0]['id']}"
        self.calls.append(Call("create", conversation, body))
        return web.json_response({"id": conversation}, status=201)
