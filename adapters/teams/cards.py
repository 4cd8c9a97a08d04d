"""The core's neutral cards as Adaptive Cards 1.5, and a click's data back into grammar text.

Every button is an `Action.Execute` (Universal Actions: an `adaptiveCard/action` invoke) whose fallback is an
`Action.Submit` carrying the same data (a message with `value`), so older clients reach the same code.
Pure functions on plain dicts: no Bot Framework type here, so the rendering outlives the SDK.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.i18n import Translator
from bot.replies import Button, Card, Picker

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
VERB = "crisisbot"
# Keys of a click's data; inputs sit beside them in the same flat dict (that is how both actions merge inputs).
COMMAND_KEY = "crisisbot"
CARD_KEY = "card"
INPUT_KEY = "input"

PERSON = re.compile(r"<@([^>|\s]+)(?:\|[^>]*)?>")
_STYLES = {"primary": "positive", "danger": "destructive"}


def people_in(card: Card) -> set[str]:
    texts = [card.title, card.text, *(f.value for f in card.fields)]
    return {match for text in texts for match in PERSON.findall(text)}


def with_names(text: str, names: Mapping[str, str]) -> str:
    """Mentions as plain names: a card refreshed ten times must not ping its people ten times."""
    return PERSON.sub(lambda m: names.get(m.group(1), m.group(1)), text)


def adaptive_card(card: Card, t: Translator, names: Mapping[str, str]) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": with_names(card.title, names), "weight": "Bolder", "size": "Medium", "wrap": True},
    ]
    if card.text:
        body.append({"type": "TextBlock", "text": with_names(card.text, names), "wrap": True})
    if card.fields:
        facts = [{"title": f.label, "value": with_names(f.value, names)} for f in card.fields]
        body.append({"type": "FactSet", "facts": facts})
    for index, picker in enumerate(card.pickers):
        body.extend(_picker(picker, f"pick{index}", card.id, t))
    actions = [_button(button, f"ask{index}", card.id, t) for index, button in enumerate(card.buttons)]
    content: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": body,
        "msteams": {"width": "Full"},
    }
    if actions:
        content["actions"] = actions
    return content


def click_command(data: Mapping[str, Any]) -> str | None:
    """The grammar text a click runs, or None when the data is not from one of our cards."""
    command = data.get(COMMAND_KEY)
    if not isinstance(command, str):
        return None
    input_id = data.get(INPUT_KEY)
    value = data.get(input_id) if isinstance(input_id, str) else None
    if isinstance(value, str) and value.strip():
        return f"{command} {value.strip()}"
    return command


def clicked_card(data: Mapping[str, Any]) -> str | None:
    card_id = data.get(CARD_KEY)
    return card_id if isinstance(card_id, str) else None


def execute(title: str, command: str, card_id: str, input_id: str | None = None, style: str = "default") -> dict[str, Any]:
    data: dict[str, Any] = {COMMAND_KEY: command, CARD_KEY: card_id}
    if input_id:
        data[INPUT_KEY] = input_id
    submit: dict[str, Any] = {"type": "Action.Submit", "title": title, "data": data}
    action: dict[str, Any] = {"type": "Action.Execute", "title": title, "verb": VERB, "data": data, "fallback": submit}
    if style != "default":
        action["style"] = submit["style"] = _STYLES.get(style, "default")
    return action


def _button(button: Button, input_id: str, card_id: str, t: Translator) -> dict[str, Any]:
    if button.ask:
        form = {
            "type": "AdaptiveCard",
            "body": [{"type": "Input.Text", "id": input_id, "placeholder": button.ask, "label": button.ask,
                      "isMultiline": True, "isRequired": True, "errorMessage": t("Please write something first.")}],
            "actions": [execute(t("Send"), button.command, card_id, input_id, button.style)],
        }
        return {"type": "Action.ShowCard", "title": button.label, "card": form}
    if button.confirm:
        # Adaptive Cards have no confirm dialog; a small card that asks again does the same job.
        form = {
            "type": "AdaptiveCard",
            "body": [{"type": "TextBlock", "text": button.confirm, "wrap": True}],
            "actions": [execute(t("Confirm"), button.command, card_id, style=button.style)],
        }
        return {"type": "Action.ShowCard", "title": button.label, "card": form}
    return execute(button.label, button.command, card_id, style=button.style)


def _picker(picker: Picker, input_id: str, card_id: str, t: Translator) -> list[dict[str, Any]]:
    choice: dict[str, Any] = {"type": "Input.ChoiceSet", "id": input_id, "label": picker.label, "style": "compact"}
    if picker.options:
        choice["choices"] = [{"title": label, "value": value} for label, value in picker.options]
    else:
        # Teams' people picker: searches the organisation and answers the person's Entra (AAD) object id,
        # which is how crisisbot names Teams people.
        choice["choices"] = []
        choice["choices.data"] = {"type": "Data.Query", "dataset": "graph.microsoft.com/users"}
    if picker.selected:
        choice["value"] = picker.selected
    save = execute(t("Set {label}", label=picker.label), picker.command, card_id, input_id)
    return [choice, {"type": "ActionSet", "actions": [save]}]
