"""The core's neutral cards as Adaptive Cards, and a click's data back into grammar text.

Every button is an `Action.Execute` (Universal Actions: an `adaptiveCard/action` invoke) whose fallback is an
`Action.Submit` carrying the same data (a message with `value`), so older clients reach the same code.
Text goes in RichTextBlocks of TextRuns, one per line: Adaptive Cards never read a TextRun as Markdown, so what
people typed shows exactly as typed, lines stay lines, and the bot's own `code` spans render as monospace.
A card declares 1.5 (Universal Actions), or 1.6 when it has a people picker (`choices.data`).
Pure functions on plain dicts: no Bot Framework type here, so the rendering outlives the SDK.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from adapters.teams.markup import PERSON, runs, shown
from bot.describe import said
from bot.i18n import Translator
from bot.replies import Button, Card, Field, Picker

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
VERB = "crisisbot"
# Keys of a click's data; inputs sit beside them in the same flat dict (that is how both actions merge inputs).
COMMAND_KEY = "crisisbot"
CARD_KEY = "card"
PICKER_INPUT = "pick"  # the id of a menu's input starts so (a text box's with "ask")
INPUT_KEY = "input"
# Marks the save button of a people picker: its input is a person, whom the door names before the core sees them.
PERSON_KEY = "person"

# Teams refuses an activity over about 28 KB; a card gets this much, the activity around it the rest.
CARD_BUDGET = 24_000
# Suggestions offered by a people picker before anyone types (Teams searches the organisation beyond them).
MAX_SUGGESTIONS = 8
_STYLES = {"primary": "positive", "danger": "destructive"}
# The value of a people picker's placeholder choice: picking it is picking nobody.
NOBODY = "crisisbot:nobody"


def people_in(card: Card) -> set[str]:
    texts = [card.title, card.text, *(f.value for f in card.fields)]
    return {match for text in texts for match in PERSON.findall(text)} | {
        p.selected for p in card.pickers if not p.options and p.selected}


def with_names(text: str, names: Mapping[str, str]) -> str:
    """Mentions as plain names: a card refreshed ten times must not ping its people ten times."""
    return PERSON.sub(lambda m: names.get(m.group(1), m.group(1)), text)


def size_of(content: Any) -> int:
    """Bytes on the wire: the connector client writes JSON with every non-ASCII character as a `\\u` escape."""
    return len(json.dumps(content))


def adaptive_card(
    card: Card, t: Translator, names: Mapping[str, str], people: Mapping[str, str] | None = None,
    budget: int = CARD_BUDGET,
) -> dict[str, Any]:
    """`names` name the people the card mentions; `people` are suggested by its people pickers."""
    code = card.markup  # the bot's own words (help): their `code` spans are the bot's and render as code
    title = _rich(card.title, names, weight="Bolder", size="Medium")
    lines = [_rich(line, names, code) for line in card.text.splitlines()]
    lines += [_field(field, t, names) for field in card.fields]
    inputs: list[dict[str, Any]] = []
    suggested = {**(people or {}), **names}
    for index, picker in enumerate(card.pickers):
        inputs.extend(_picker(picker, f"{PICKER_INPUT}{index}", card.id, t, suggested))
    actions = [_button(button, f"ask{index}", card.id, t) for index, button in enumerate(card.buttons)]
    people_picker = any(not picker.options for picker in card.pickers)
    content: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.6" if people_picker else "1.5",
        "body": [],
        "msteams": {"width": "Full"},
    }
    if actions:
        content["actions"] = actions
    # The card's note stays whatever is cut: it counts what the core left out, the cut below what the door did.
    note = _rich(card.note, names, True, isSubtle=True) if card.note else None
    content["body"] = [b for b in (title, note, *inputs) if b]
    # The newest facts are at the end of a timeline: what does not fit is its oldest part.
    kept = fit([b for b in lines if b], content, budget, t, oldest_first=card.id.startswith("timeline:"))
    content["body"] = [b for b in (title, note, *kept, *inputs) if b]
    return content


def fit(
    blocks: list[dict[str, Any]], around: dict[str, Any], budget: int, t: Translator, oldest_first: bool = False
) -> list[dict[str, Any]]:
    """The blocks that fit the budget with what is `around` them, and a line saying how many more there are."""
    fixed = size_of(around) + 300  # and the note itself
    sizes = [size_of(b) + 1 for b in blocks]
    if fixed + sum(sizes) <= budget:
        return blocks
    kept = list(range(len(blocks)))
    total = fixed + sum(sizes)
    while kept and total > budget:
        dropped = kept.pop(0 if oldest_first else -1)
        total -= sizes[dropped]
    note = _rich(t("… {count} more; `export` for the full record", count=len(blocks) - len(kept)), {}, True,
                 isSubtle=True)
    chosen = [blocks[i] for i in kept]
    if note is None:
        return chosen
    return [note, *chosen] if oldest_first else [*chosen, note]


def _rich(text: str, names: Mapping[str, str], code: bool = False, **style: Any) -> dict[str, Any] | None:
    inlines = runs(text, names, code)
    if not "".join(run["text"] for run in inlines).strip():
        return None
    block: dict[str, Any] = {"type": "RichTextBlock", "inlines": inlines}
    for key in ("weight", "size", "isSubtle"):
        if key in style:
            for run in inlines:
                run[key] = style[key]
    return block


def _field(field: Field, t: Translator, names: Mapping[str, str]) -> dict[str, Any]:
    label = {"type": "TextRun", "text": said(t, field.label, ""), "weight": "Bolder"}
    return {"type": "RichTextBlock", "inlines": [label, *runs(shown(field.value), names)]}


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


def missing_input(data: Mapping[str, Any]) -> bool:
    """The click names the input it completes (a picker, a text box) and that input came empty."""
    input_id = data.get(INPUT_KEY)
    if not isinstance(input_id, str):
        return False
    value = data.get(input_id)
    return not (isinstance(value, str) and value.strip()) or value.strip() == NOBODY


def picked_person(data: Mapping[str, Any]) -> str | None:
    """The person a people picker's click names (an Entra object id in Teams, a Teams id in some test clients)."""
    input_id = data.get(INPUT_KEY)
    value = data.get(input_id) if isinstance(input_id, str) and data.get(PERSON_KEY) else None
    return value.strip() if isinstance(value, str) and value.strip() and value.strip() != NOBODY else None


def clicked_card(data: Mapping[str, Any]) -> str | None:
    card_id = data.get(CARD_KEY)
    return card_id if isinstance(card_id, str) else None


def picked_on(data: Mapping[str, Any]) -> str | None:
    """The card whose menu (a choice set, a people picker) the click completes: the clicker sees the choice already,
    so a refusal puts the card back (`Origin.card`). None for a button, or a text box whose words would be lost."""
    input_id = data.get(INPUT_KEY)
    return clicked_card(data) if isinstance(input_id, str) and input_id.startswith(PICKER_INPUT) else None


def execute(
    title: str, command: str, card_id: str, input_id: str | None = None, style: str = "default", person: bool = False,
) -> dict[str, Any]:
    data: dict[str, Any] = {COMMAND_KEY: command, CARD_KEY: card_id}
    if input_id:
        data[INPUT_KEY] = input_id
    if person:
        data[PERSON_KEY] = True
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
            "body": [block for block in (_rich(button.confirm, {}),) if block],
            "actions": [execute(t("Confirm"), button.command, card_id, style=button.style)],
        }
        return {"type": "Action.ShowCard", "title": button.label, "card": form}
    return execute(button.label, button.command, card_id, style=button.style)


def _picker(
    picker: Picker, input_id: str, card_id: str, t: Translator, people: Mapping[str, str]
) -> list[dict[str, Any]]:
    choice: dict[str, Any] = {"type": "Input.ChoiceSet", "id": input_id, "label": picker.label, "style": "compact"}
    if picker.options:
        choice["choices"] = [{"title": label, "value": value} for label, value in picker.options]
    else:
        # Teams' people picker: searches the organisation and answers the person's Entra (AAD) object id, which
        # is how crisisbot names Teams people. The people the bot knows here are its first suggestions.
        known = sorted(people.items(), key=lambda item: (item[1].casefold(), item[0]))[:MAX_SUGGESTIONS]
        if picker.selected and picker.selected not in dict(known):
            known.insert(0, (picker.selected, people.get(picker.selected, picker.selected)))
        choice["choices"] = [{"title": name, "value": person} for person, name in known]
        if not known:
            # A choice set needs a choice; picking this one is answered "choose first", like picking nobody.
            choice["choices"] = [{"title": t("Search for someone"), "value": NOBODY}]
        choice["choices.data"] = {"type": "Data.Query", "dataset": "graph.microsoft.com/users"}
    if picker.selected:
        choice["value"] = picker.selected
    save = execute(t("Set {label}", label=picker.label), picker.command, card_id, input_id, person=not picker.options)
    return [choice, {"type": "ActionSet", "actions": [save]}]
