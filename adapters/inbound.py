"""Reading request bodies that anyone may have written: strict, bounded, refused with a short reason.

Both doors read their bodies here before an SDK sees them, so a body the SDK would choke on (invalid UTF-8,
JSON nested a thousand levels deep, a list where an object belongs) is answered 400 instead of a 500 and
a traceback. Reasons are short and quote attacker text only through `shown`, cut and escaped.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

# Real Slack payloads and Bot Framework activities nest about a dozen levels (an Adaptive Card a few more).
MAX_DEPTH = 40
# A JSON string literal, escapes included; its brackets do not count towards the depth.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_PAIRS = str.maketrans("[]{}", "()()")


class Malformed(ValueError):
    """A body that cannot be read as what it claims to be; the message is a short reason, safe to log."""


def shown(value: object, limit: int = 40) -> str:
    """Attacker-supplied text as it may appear in a log line: escaped like `repr` and cut to `limit` characters."""
    if not isinstance(value, str):
        return type(value).__name__
    return repr(value[:limit]) + ("…" if len(value) > limit else "")


def kind(value: object) -> str:
    """A JSON value's type, as a reason names it."""
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(type(value), "a number")


def utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Malformed(f"the body is not UTF-8 (invalid byte at offset {error.start})") from None


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """True when the JSON text nests deeper than `limit`.

    Each pass strips every innermost bracket pair, so whatever nests beyond `limit` is still there after
    `limit` passes; each pass is one C-speed `str.replace`, whatever the body's size.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text)).translate(_PAIRS)
    if "(" * (limit + 1) in brackets:  # the usual attack, `[[[[…`, answered at once
        return True
    for _ in range(limit):
        if "()" not in brackets:
            return False
        brackets = brackets.replace("()", "")
    return "()" in brackets or "(" * (limit + 1) in brackets


def parse_json(text: str, what: str = "the body") -> Any:
    if too_deep(text):
        raise Malformed(f"{what} is JSON nested deeper than {MAX_DEPTH} levels")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise Malformed(f"{what} is not valid JSON ({type(error).__name__})") from None
    # Decoded UTF-8 holds no surrogate, but a `\ud800` escape does: refused here, or storage fails on it later.
    if ("\\ud" in text or "\\uD" in text) and _has_lone_surrogate(value):
        raise Malformed(f"{what} holds a lone surrogate escape (\\ud800-\\udfff)")
    return value


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(item) for item in value)
    return False


def parse_form(text: str) -> dict[str, str]:
    """A URL-encoded form; a repeated field keeps its last value, as Slack's own parsing would."""
    try:
        return dict(parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=1000))
    except UnicodeDecodeError:
        raise Malformed("a form field is not UTF-8 once decoded") from None
    except ValueError:
        raise Malformed("the form has too many fields") from None


def object_at(value: Any, path: str, required: bool = True, null: bool = True) -> dict[str, Any] | None:
    """The object at a dotted path; None when absent (or null, if `null`) and optional; else Malformed."""
    found = _walk(value, path, null)
    if found is None:
        if required:
            raise Malformed(f"`{path}` is missing")
        return None
    if not isinstance(found, dict):
        raise Malformed(f"`{path}` must be an object, not {kind(found)}")
    return found


def text_at(value: Any, path: str, required: bool = True, null: bool = True) -> str | None:
    """The string at a dotted path (a required one non-empty); None when absent (or null, if `null`) and
    optional; else Malformed."""
    found = _walk(value, path, null)
    if found is None or found == "":
        if required:
            raise Malformed(f"`{path}` is missing")
        return None if found is None else ""
    if not isinstance(found, str):
        raise Malformed(f"`{path}` must be a string, not {kind(found)}")
    return found


def list_at(value: Any, path: str) -> list[Any]:
    """The list at a dotted path, empty when absent or null."""
    found = _walk(value, path, True)
    if found is None:
        return []
    if not isinstance(found, list):
        raise Malformed(f"`{path}` must be a list, not {kind(found)}")
    return found


def _walk(value: Any, path: str, null: bool) -> Any:
    """The value at a dotted path, None when a key on the way is absent.

    With `null` false, an explicit null on the way is Malformed: code reading `x.get(key, default)` gets
    None, not its default, from `{"key": null}`.
    """
    walked: list[str] = []
    for key in path.split("."):
        if value is None:
            return None
        if not isinstance(value, dict):
            raise Malformed(f"`{'.'.join(walked) or 'the body'}` must be an object, not {kind(value)}")
        if not null and key in value and value[key] is None:
            raise Malformed(f"`{'.'.join([*walked, key])}` is null")
        value = value.get(key)
        walked.append(key)
    return value


def asked_of_bot(before: str, after: str) -> str:
    """What a message mentioning the bot asks it, from the text on each side of its mention: what follows it
    ("hey @crisisbot CRI-1 status"), or what precedes it when nothing follows ("assign legal @carol @crisisbot")."""
    after = after.lstrip(" \t:,")
    return after if after.strip() else before.rstrip(" \t:,")
