"""A seeded generator of malformed Slack and Teams requests, built from the real payloads in tests/fixtures.

Each request says what the server must answer: `MALFORMED` (400), `FORGED` (401), `IGNORED` (200) or `ANY`
(a random mutation that may or may not still be valid: anything below 500).
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from adapters.slack import modals
from bot.i18n import translator
from tests.slack.slack_requests import FORM, SIGNING_SECRET, app_mention, block_action, slash_command, view_submission
from tests.teams.conftest import BOT_ID, MEGAN, fixture, thread

MALFORMED, FORGED, IGNORED, ANY = "malformed", "forged", "ignored", "any"
JSON = "application/json"


@dataclass(frozen=True)
class Sent:
    door: str  # "slack" or "teams"
    body: bytes
    headers: dict[str, str]
    expect: str
    what: str  # the generator that made it, for a failure message


def signed(body: bytes, content_type: str = FORM, secret: str = SIGNING_SECRET) -> dict[str, str]:
    timestamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}"}


def deep(rng: random.Random, depth: int | None = None) -> str:
    depth = depth or rng.choice([41, 60, 500, 1_100, 3_000, 3_000])
    opener, closer = rng.choice([("[", "]"), ('{"a":', "}"), ("[{\"b\":", "}]")])
    return opener * depth + "1" + closer * depth


def junk(rng: random.Random) -> Any:
    """A JSON value of a type no field expects, or an empty one."""
    return rng.choice([None, [], {}, 0, -1, 1.5, True, False, "", [None], {"": None}, [[[]]], "x" * rng.randint(1, 3000)])


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*prefix, index)
            yield from _paths(item, (*prefix, index))


def mutate(rng: random.Random, value: dict[str, Any], count: int = 1) -> dict[str, Any]:
    """A copy with `count` random fields replaced by junk or removed."""
    value = copy.deepcopy(value)
    for _ in range(count):
        paths = list(_paths(value))
        if not paths:
            break
        *parent_path, last = rng.choice(paths)
        parent: Any = value
        for key in parent_path:
            parent = parent[key]
        if isinstance(parent, dict) and rng.random() < 0.3:
            del parent[last]
        else:
            parent[last] = junk(rng)
    return value


def set_path(value: dict[str, Any], path: str, new: Any) -> dict[str, Any]:
    value = copy.deepcopy(value)
    *parents, last = path.split(".")
    target = value
    for key in parents:
        target = target[key]
    if new is _DELETE:
        target.pop(last, None)
    else:
        target[last] = new
    return value


_DELETE = object()


class SlackBodies:
    def __init__(self) -> None:
        t = translator("en")
        self.command = dict(parse_qsl(slash_command("help", trigger_id="fuzz.1"), keep_blank_values=True))
        self.click = json.loads(dict(parse_qsl(block_action(
            {"action_id": "crisis.run.help", "value": "help", "text": {"type": "plain_text", "text": "Help"}},
            "W111", "C111", "1.1", "2.2")))["payload"])
        view = modals.open_incident_view(t, "C111", 2)
        self.view = json.loads(dict(parse_qsl(view_submission(view, {modals.TITLE: ""})))["payload"])
        self.mention = json.loads(app_mention("<@W999> help"))

    def generators(self) -> list[Callable[[random.Random], Sent]]:
        return [self.not_utf8, self.bad_payload, self.too_deep, self.wrong_top_level, self.missing_field,
                self.bad_form, self.forged, self.ignored, self.mutated]

    def _form(self, fields: dict[str, Any], expect: str, what: str) -> Sent:
        body = urlencode(fields).encode()
        return Sent("slack", body, signed(body), expect, what)

    def _payload(self, payload: Any, expect: str, what: str) -> Sent:
        return self._form({"payload": json.dumps(payload)}, expect, what)

    def _json(self, value: Any, expect: str, what: str) -> Sent:
        body = json.dumps(value).encode()
        return Sent("slack", body, signed(body, JSON), expect, what)

    def not_utf8(self, rng: random.Random) -> Sent:
        body = urlencode(self.command).encode()
        cut = rng.randrange(len(body))
        body = body[:cut] + rng.choice([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80\x80"]) + body[cut:]
        return Sent("slack", body, signed(body, rng.choice([FORM, JSON])), MALFORMED, "not_utf8")

    def bad_payload(self, rng: random.Random) -> Sent:
        raw = rng.choice(["null", "abc", "[]", "123", '"text"', "{", '{"type":', "true", "", "\ud800"])
        body = ("payload=" + quote(raw, safe="", errors="surrogatepass")).encode()
        return Sent("slack", body, signed(body), MALFORMED, f"payload={raw[:10]}")

    def too_deep(self, rng: random.Random) -> Sent:
        text = deep(rng)
        if rng.random() < 0.5:
            body = ("payload=" + quote(text)).encode()
            return Sent("slack", body, signed(body), MALFORMED, "deep payload")
        return Sent("slack", text.encode(), signed(text.encode(), JSON), MALFORMED, "deep json")

    def wrong_top_level(self, rng: random.Random) -> Sent:
        return self._json(rng.choice([None, [], [self.mention], 1, "event_callback", True]), MALFORMED, "top level")

    def missing_field(self, rng: random.Random) -> Sent:
        new = rng.choice([_DELETE, None, "", 0, [], [1]])
        kind = rng.randrange(4)
        if kind == 0:
            field = rng.choice(["user_id", "channel_id", "trigger_id"])
            fields = dict(self.command)
            if new is _DELETE or not isinstance(new, str):
                fields.pop(field)
            else:
                fields[field] = new
            return self._form(fields, MALFORMED, f"command without {field}")
        if kind == 1:
            path = rng.choice(["user", "user.id", "actions", "channel.id"])
            if path == "channel.id" and new in (_DELETE, None, ""):
                new = 7  # channel is optional; its id, when given, must be a string
            return self._payload(set_path(self.click, path, new), MALFORMED, f"action without {path}")
        if kind == 2:
            path = rng.choice(["user", "user.id", "view.state", "view.private_metadata"])
            if path == "view.private_metadata":
                new = rng.choice(["abc", "[]", "null", '{"channel": 5}', deep(rng)])
            elif path == "view.state" and new in (_DELETE, None):
                new = "state"
            return self._payload(set_path(self.view, path, new), MALFORMED, f"view without {path}")
        path = rng.choice(["event", "event.channel", "event.type", "type"])
        if path == "event.channel" and new is _DELETE:
            new = None
        return self._json(set_path(self.mention, path, new), MALFORMED, f"mention without {path}")

    def bad_form(self, rng: random.Random) -> Sent:
        body = rng.choice([b"text=%ff%fe&command=/crisis", b"=&=&&&", b"command=/crisis", b"a=" + b"%" * 10,
                           "&".join(f"f{i}=1" for i in range(1500)).encode()])
        return Sent("slack", body, signed(body), MALFORMED, "bad form")

    def forged(self, rng: random.Random) -> Sent:
        body = rng.choice([deep(rng), "payload=null", "\xff"]).encode("utf-8", "surrogateescape")
        headers = signed(body, secret="not-the-secret") if rng.random() < 0.7 else {"Content-Type": FORM}
        return Sent("slack", body, headers, FORGED, "forged")

    def ignored(self, rng: random.Random) -> Sent:
        choice = rng.randrange(3)
        if choice == 0:
            return self._json(set_path(self.mention, "event.type", "reaction_added"), IGNORED, "other event")
        if choice == 1:
            return self._payload({**self.click, "type": "block_suggestion"}, IGNORED, "other interaction")
        return self._form({**self.command, "command": "/other"}, IGNORED, "other command")

    def mutated(self, rng: random.Random) -> Sent:
        source = rng.choice(["click", "view", "mention", "command"])
        if source == "command":
            fields = dict(self.command)
            fields[rng.choice(list(fields))] = rng.choice(["", "%", "\x00", "é" * 50])
            return self._form(fields, ANY, "mutated command")
        base = {"click": self.click, "view": self.view, "mention": self.mention}[source]
        changed = mutate(rng, base, rng.randint(1, 3))
        if source == "mention":
            return self._json(changed, ANY, "mutated mention")
        return self._payload(changed, ANY, f"mutated {source}")


class TeamsBodies:
    def __init__(self, service_url: str) -> None:
        def base(name: str) -> dict[str, Any]:
            activity = fixture(name)
            activity.update(serviceUrl=service_url, channelId="msteams", id="1700000000099",
                            recipient={"id": BOT_ID, "name": "crisisbot"},
                            conversation={"id": thread("1700000000001"), "conversationType": "channel"})
            activity["from"] = {"id": MEGAN.teams_id, "name": MEGAN.name, "aadObjectId": MEGAN.aad}
            return activity

        self.message = base("teams_message_activity.json")
        self.message.update(text="<at>crisisbot</at> help", attachments=None)
        self.message["entities"] = [{"type": "mention", "text": "<at>crisisbot</at>",
                                     "mentioned": {"id": BOT_ID, "name": "crisisbot"}}]
        self.invoke = base("teams_invoke_adaptivecard_action.jsonc")
        self.invoke["value"]["action"].update(verb="crisisbot", data={"command": "help"})
        self.joined = fixture("teams_conversation_update_bot_added_to_team.json")
        self.joined["serviceUrl"] = service_url

    def generators(self) -> list[Callable[[random.Random], Sent]]:
        return [self.not_utf8, self.bad_json, self.too_deep, self.wrong_top_level, self.missing_field,
                self.bad_invoke, self.wrong_type, self.mutated]

    @staticmethod
    def _sent(value: Any, expect: str, what: str) -> Sent:
        return Sent("teams", json.dumps(value).encode(), {"Content-Type": JSON}, expect, what)

    def not_utf8(self, rng: random.Random) -> Sent:
        body = json.dumps(self.message).encode()
        cut = rng.randrange(len(body))
        body = body[:cut] + rng.choice([b"\xff", b"\xc3\x28", b"\xed\xa0\x80"]) + body[cut:]
        return Sent("teams", body, {"Content-Type": JSON}, MALFORMED, "not_utf8")

    def bad_json(self, rng: random.Random) -> Sent:
        body = json.dumps(self.message).encode()
        body = rng.choice([body[: rng.randrange(len(body))], body + b"}", b"{'type': 'message'}", b"", b"NaN"])
        return Sent("teams", body, {"Content-Type": JSON}, MALFORMED, "bad json")

    def too_deep(self, rng: random.Random) -> Sent:
        text = deep(rng)
        if rng.random() < 0.5:
            text = json.dumps({**self.message, "value": "@"})[:-1].replace('"@"', text) + "}"
        return Sent("teams", text.encode(), {"Content-Type": JSON}, MALFORMED, "deep json")

    def wrong_top_level(self, rng: random.Random) -> Sent:
        return self._sent(rng.choice([None, [], [self.message], 1, "message", False]), MALFORMED, "top level")

    def missing_field(self, rng: random.Random) -> Sent:
        path = rng.choice(["from", "conversation", "recipient", "from.id", "conversation.id", "recipient.id",
                           "serviceUrl", "type"])
        new = rng.choice([_DELETE, None, "", 5, []])
        base = rng.choice([self.message, self.invoke, self.joined])
        return self._sent(set_path(base, path, new), MALFORMED, f"without {path}")

    def bad_invoke(self, rng: random.Random) -> Sent:
        name = rng.choice(["composeExtension/query", "task/fetch", "", None, 5, "x" * 500, "adaptiveCard/other",
                           "adaptiveCard/action"])
        value = rng.choice([None, {}, [], "x", {"action": None}, {"action": {"verb": "crisisbot", "data": None}}])
        invoke = {**self.invoke, "name": name, "value": value}
        if name is None or isinstance(name, str):
            # Answered 200: with nothing for an unknown name, with "not one of crisisbot's cards" for a card action.
            return self._sent(invoke, IGNORED, f"invoke {str(name)[:20]}")
        return self._sent(invoke, MALFORMED, "invoke with a number as name")

    def wrong_type(self, rng: random.Random) -> Sent:
        path = rng.choice(["locale", "localTimezone", "replyToId", "from.name", "entities", "channelData",
                           "timestamp", "membersAdded"])
        new = rng.choice([[1], {"a": 1}, [None]]) if path != "channelData" else rng.choice([[1], 7, "x"])
        if path == "timestamp":
            new = "yesterday"
        return self._sent(set_path(self.message, path, new), MALFORMED, f"{path} of a wrong type")

    def mutated(self, rng: random.Random) -> Sent:
        base = rng.choice([self.message, self.invoke, self.joined])
        return self._sent(mutate(rng, base, rng.randint(1, 3)), ANY, f"mutated {base['type']}")
