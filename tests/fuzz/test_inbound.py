"""adapters/inbound.py: the depth limit, and attacker text as log lines show it."""

from __future__ import annotations

import json

import pytest

from adapters.inbound import MAX_DEPTH, Malformed, parse_json, shown, text_at, too_deep


def nested(depth: int) -> str:
    return '{"a":[' * (depth // 2) + ("[1]" if depth % 2 else "1") + "]}" * (depth // 2)


def test_the_limit_is_exact() -> None:
    assert not too_deep(nested(MAX_DEPTH)) and too_deep(nested(MAX_DEPTH + 1))
    assert parse_json(nested(MAX_DEPTH)) == json.loads(nested(MAX_DEPTH))


@pytest.mark.parametrize("text", [
    json.dumps({"text": "[" * 500}),  # brackets inside a string do not nest
    json.dumps({"text": '\\"[[[' * 100, "more": ["]]]" * 50]}),  # nor do they after an escaped quote
    json.dumps([[1, 2]] * 10_000),  # wide is not deep
])
def test_brackets_in_strings_and_wide_bodies_are_not_depth(text: str) -> None:
    assert not too_deep(text)
    assert parse_json(text) == json.loads(text)


@pytest.mark.parametrize("text", ["[" * 100_000, "[" * 5_000 + "]" * 5_000, '{"a":' * 3_000 + "1" + "}" * 3_000])
def test_deep_bodies_are_refused_before_json_sees_them(text: str) -> None:
    with pytest.raises(Malformed, match="nested deeper"):
        parse_json(text)


def test_null_where_a_default_would_be_used_is_refused_only_when_asked() -> None:
    assert text_at({"a": None}, "a.b", required=False) is None
    with pytest.raises(Malformed, match="`a` is null"):
        text_at({"a": None}, "a.b", required=False, null=False)


def test_shown_escapes_and_cuts() -> None:
    assert shown("line\nbreak\x1b[31m", limit=100) == "'line\\nbreak\\x1b[31m'"
    assert shown("x" * 1_000) == repr("x" * 40) + "…"
    assert shown(["not", "text"]) == "list"


def test_a_lone_surrogate_escape_is_refused_and_a_pair_is_kept() -> None:
    for body in ('{"text": "\\ud800"}', '{"a": ["x", {"\\udfff": 1}]}', '{"text": "ok \\uDC00 then"}'):
        with pytest.raises(Malformed, match="lone surrogate"):
            parse_json(body)
    assert parse_json('{"text": "\\ud83d\\ude00"}') == {"text": "\U0001f600"}
