"""The two modals: opening a crisis (title, severity, description, source) and asking for one text.

What the modal was opened for travels in `private_metadata`, so a submission is self-contained.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from adapters.slack.blocks import cut
from adapters.slack.markup import inert
from bot import commands as c
from bot.i18n import Translator
from bot.views import severity_label

OPEN_CALLBACK = "crisis.open"
ASK_CALLBACK = "crisis.ask"
TITLE, SEVERITY, DESCRIPTION, SOURCE, ANSWER = "title", "severity", "description", "source", "answer"


def _text(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": cut(text, limit)}


def _input(block_id: str, label: str, element: dict[str, Any], optional: bool = False) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "label": _text(label, 2000), "optional": optional,
            "element": {**element, "action_id": block_id}}


def open_incident_view(t: Translator, channel: str, severity: int = 3) -> dict[str, Any]:
    options = [{"text": _text(severity_label(s, t)), "value": str(s)} for s in (1, 2, 3, 4)]
    return {
        "type": "modal",
        "callback_id": OPEN_CALLBACK,
        "private_metadata": json.dumps({"channel": channel}),
        "title": _text(t("Open a crisis"), 24),
        "submit": _text(t("Open"), 24),
        "close": _text(t("Cancel"), 24),
        "blocks": [
            _input(TITLE, t("Title"), {"type": "plain_text_input", "max_length": 150}),
            _input(SEVERITY, t("Severity"), {"type": "static_select", "options": options,
                                             "initial_option": options[severity - 1]}),
            _input(DESCRIPTION, t("What is happening?"), {"type": "plain_text_input", "multiline": True,
                                                          "max_length": 2000}, optional=True),
            _input(SOURCE, t("Link to the source of the complaints"), {"type": "url_text_input"}, optional=True),
        ],
    }


def ask_view(t: Translator, title: str, question: str, command: str, channel: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": ASK_CALLBACK,
        "private_metadata": json.dumps({"channel": channel, "command": command}),
        "title": _text(title or "crisisbot", 24),
        "submit": _text(t("Send"), 24),
        "close": _text(t("Cancel"), 24),
        "blocks": [_input(ANSWER, question, {"type": "plain_text_input", "multiline": True, "max_length": 2800})],
    }


@dataclass(frozen=True)
class Submission:
    """What a submitted modal asks for: a command object or grammar text, run in `channel`."""

    channel: str
    command: c.Command | None = None
    text: str = ""


def _value(values: dict[str, Any], block_id: str) -> str:
    state = values.get(block_id, {}).get(block_id, {})
    if state.get("type") == "static_select":
        return str((state.get("selected_option") or {}).get("value") or "")
    # A text input sends what was typed, and Slack recognises nothing in it: no `<@…>` there is a mention.
    return inert(str(state.get("value") or "").strip())


def read_submission(view: dict[str, Any]) -> Submission:
    metadata = json.loads(view.get("private_metadata") or "{}")
    values = view.get("state", {}).get("values", {})
    channel = str(metadata.get("channel", ""))
    if view.get("callback_id") == OPEN_CALLBACK:
        severity = _value(values, SEVERITY)
        # ASCII digits only, and few of them: str.isdigit() also takes "²", which int() refuses.
        readable = severity.isascii() and severity.isdigit() and len(severity) <= 3
        return Submission(channel, command=c.OpenIncident(
            title=_value(values, TITLE), severity=int(severity) if readable else 3,
            description=_value(values, DESCRIPTION), source_url=_value(values, SOURCE),
        ))
    return Submission(channel, text=f"{metadata.get('command', '')} {_value(values, ANSWER)}".strip())
