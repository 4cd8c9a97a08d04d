"""Personal dashboard links: who asked, in which language, until when, signed with the operator's secret key.

A token is `v1.<payload>.<signature>`: the payload is JSON (person, platform, language, expiry) in lowercase base32,
the signature the hex HMAC-SHA256 of the payload's text. Both alphabets are letters, digits and dots only, so no chat
platform's Markdown escaping can break the link. Changing the key revokes every link at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

LINK_LIFETIME = timedelta(hours=12)
# Shorter keys are refused: the server will not serve the dashboard with a guessable key.
MIN_KEY_LENGTH = 16
_VERSION = "v1"


@dataclass(frozen=True)
class Pass:
    """What a valid link says: whose it is, in which language to answer, until when it opens the dashboard."""

    person: str
    platform: str
    language: str | None
    expires_at: datetime


class BadLink(Exception):
    """A link that opens nothing. `pass_` is set when the link is authentic but expired (its language is known)."""

    def __init__(self, reason: str, pass_: Pass | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.pass_ = pass_


def usable_key(key: str) -> bool:
    return len(key.strip()) >= MIN_KEY_LENGTH


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=").lower()


def _unb32(text: str) -> bytes:
    return base64.b32decode(text.upper() + "=" * (-len(text) % 8))


def _signature(key: str, payload: str) -> str:
    return hmac.new(key.encode("utf-8"), f"{_VERSION}.{payload}".encode("ascii"), hashlib.sha256).hexdigest()


def sign(key: str, granted: Pass) -> str:
    body = {"p": granted.person, "f": granted.platform, "l": granted.language, "e": int(granted.expires_at.timestamp())}
    payload = _b32(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    return f"{_VERSION}.{payload}.{_signature(key, payload)}"


def verify(key: str, token: str, now: datetime) -> Pass:
    """The pass a token carries, or BadLink saying why it opens nothing (forged, malformed, expired)."""
    version, _, rest = token.strip().partition(".")
    payload, _, signature = rest.partition(".")
    # ASCII only: the signature is computed over ASCII, and compare_digest refuses other strings.
    if version != _VERSION or not payload or not signature or not (payload.isascii() and signature.isascii()):
        raise BadLink("malformed")
    if not hmac.compare_digest(_signature(key, payload), signature):
        raise BadLink("forged")
    try:
        body = json.loads(_unb32(payload).decode("utf-8"))
        granted = Pass(str(body["p"]), str(body["f"]), body.get("l") or None, datetime.fromtimestamp(int(body["e"]), UTC))
    except (ValueError, KeyError, TypeError) as error:  # signed by us, so only an older format lands here
        raise BadLink("malformed") from error
    if granted.expires_at <= now:
        raise BadLink("expired", granted)
    return granted


def link(base_url: str, key: str, granted: Pass) -> str:
    return f"{base_url.rstrip('/')}/dashboard?token={quote(sign(key, granted))}"
