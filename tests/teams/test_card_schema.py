"""Every card the door sends is valid at the version it declares: checked with the official renderer under node
when it is installed (`npm install adaptivecards`, then NODE_PATH pointing at its node_modules), and always against
a JSON Schema of the features the door uses."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from adapters.teams.cards import adaptive_card
from bot.i18n import translator
from bot.replies import Card, Picker
from tests.teams.conftest import COLIN, LEA, MEGAN, TeamsClient, thread
from tests.teams.test_card_clicks import action

ROOM = thread("1700000000001")
VALIDATOR = Path(__file__).with_name("validate_cards.js")

TEXT_RUN = {
    "type": "object", "required": ["type", "text"], "additionalProperties": False,
    "properties": {"type": {"const": "TextRun"}, "text": {"type": "string", "minLength": 1},
                   "weight": {"enum": ["Bolder", "Default", "Lighter"]}, "size": {"enum": ["Medium", "Default"]},
                   "fontType": {"const": "Monospace"}, "isSubtle": {"type": "boolean"}},
}
ELEMENTS: dict[str, Any] = {
    "RichTextBlock": {"required": ["inlines"], "properties": {"inlines": {"type": "array", "minItems": 1,
                                                                          "items": TEXT_RUN}}},
    "Input.ChoiceSet": {
        "required": ["id", "choices"],
        "properties": {"choices": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["title", "value"], "additionalProperties": False,
            "properties": {"title": {"type": "string", "minLength": 1}, "value": {"type": "string", "minLength": 1}}}}},
    },
    "Input.Text": {"required": ["id"]},
    "ActionSet": {"required": ["actions"], "properties": {"actions": {"type": "array", "minItems": 1}}},
}
ELEMENT = {"type": "object", "required": ["type"], "properties": {"type": {"enum": sorted(ELEMENTS)}},
           "allOf": [{"if": {"properties": {"type": {"const": name}}}, "then": rule} for name, rule in ELEMENTS.items()]}
ACTION = {"type": "object", "required": ["type", "title"],
          "properties": {"type": {"enum": ["Action.Execute", "Action.ShowCard"]},
                         "card": {"$ref": "#/$defs/inner"}}}
CARD_SCHEMA = {
    "$defs": {"inner": {"type": "object", "required": ["type", "body"],
                        "properties": {"body": {"type": "array", "items": ELEMENT},
                                       "actions": {"type": "array", "items": ACTION}}}},
    "type": "object", "required": ["type", "version", "body"],
    "properties": {"type": {"const": "AdaptiveCard"}, "version": {"enum": ["1.5", "1.6"]},
                   "body": {"type": "array", "minItems": 1, "items": ELEMENT},
                   "actions": {"type": "array", "items": ACTION}},
    # `choices.data` (the people picker) is a 1.6 feature: a card that uses it says so.
    "if": {"properties": {"body": {"contains": {"required": ["choices.data"]}}}, "required": ["body"]},
    "then": {"properties": {"version": {"const": "1.6"}}},
}


async def every_kind_of_card(teams: TeamsClient) -> list[dict[str, Any]]:
    for person in (LEA, COLIN):
        teams.connector.members[person.teams_id] = {"id": person.teams_id, "name": person.name, "aadObjectId": person.aad}
    await teams.say("open Wave of *complaints* --sev 2", conversation=ROOM)
    await teams.say("assign legal @Léa Legal", conversation=ROOM, mentions=(LEA,))
    await teams.say("assign comms @Colin Comms", conversation=ROOM, mentions=(COLIN,))
    await teams.say("draft We are - sorry", conversation=ROOM)
    draft = next(c for c in teams.connector.calls if c.cards and "draft reply" in json.dumps(c.cards))
    _, answer = await teams.post(teams.invoke(action(draft.cards[0], "Approve"), draft.activity["id"], LEA, ROOM))
    for text in ("status", "timeline", "roles", "list", "help", "resolve Done"):
        await teams.say(text, who=MEGAN, conversation=ROOM)
    cards = [card for call in teams.connector.calls for card in call.cards]
    nobody_to_suggest = Card(id="incident:CRI-2", title="CRI-2 · Leak", pickers=(Picker("lead", "CRI-2 assign lead"),))
    return [*cards, answer["value"], adaptive_card(nobody_to_suggest, translator("en"), {})]


async def test_every_card_matches_the_schema_of_its_version(teams: TeamsClient) -> None:
    cards = await every_kind_of_card(teams)
    assert {card["version"] for card in cards} == {"1.5", "1.6"}
    validator = jsonschema.Draft202012Validator(CARD_SCHEMA)
    problems = [f"{card['body'][0]}: {e.message}" for card in cards for e in validator.iter_errors(card)]
    assert problems == []


def test_the_schema_refuses_what_the_renderer_reported() -> None:
    picker = {"type": "Input.ChoiceSet", "id": "p", "choices": [],
              "choices.data": {"type": "Data.Query", "dataset": "graph.microsoft.com/users"}}
    card = {"type": "AdaptiveCard", "version": "1.5", "body": [picker]}
    messages = [e.message for e in jsonschema.Draft202012Validator(CARD_SCHEMA).iter_errors(card)]
    assert any("should be non-empty" in m for m in messages) and any("'1.6' was expected" in m for m in messages)


def official_renderer() -> list[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    probe = subprocess.run([node, "-e", "require.resolve('adaptivecards/dist/adaptivecards.js')"],
                           capture_output=True, env=os.environ, check=False)
    if probe.returncode != 0:
        pytest.skip("the npm package adaptivecards is not installed (NODE_PATH)")
    return [node, str(VALIDATOR)]


async def test_the_official_renderer_reports_no_problem(teams: TeamsClient) -> None:
    command = official_renderer()
    cards = await every_kind_of_card(teams)
    done = subprocess.run(command, input=json.dumps(cards), capture_output=True, text=True, check=True, timeout=60)
    problems = {problem for found in json.loads(done.stdout) for problem in found}
    assert problems == set()
