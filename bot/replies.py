"""The platform-neutral reply model each door renders in its own way (text, Block Kit, Adaptive Cards).

Texts are literal: doors show them exactly as written, escaping whatever their format would otherwise interpret.
The one markup they carry is `<@id>`, a person (`describe.mention`), which each door turns into its own mention.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Button:
    label: str
    # Grammar text the click runs on behalf of whoever clicks, e.g. "CRI-12 approve 3".
    command: str
    style: str = "default"  # "primary" or "danger"
    # When set, the door asks the person for text (a reason, an update) and appends it to `command`.
    ask: str | None = None
    confirm: str | None = None


@dataclass(frozen=True)
class Picker:
    """A choice whose value completes `command`: a person (`options` empty) or one of `options` (label, value)."""

    label: str
    command: str
    options: tuple[tuple[str, str], ...] = ()
    selected: str | None = None


@dataclass(frozen=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True)
class Card:
    # Stable identity ("incident:CRI-12", "draft:CRI-12:3") so a door can update the card in place.
    id: str
    title: str
    text: str = ""
    fields: tuple[Field, ...] = ()
    buttons: tuple[Button, ...] = ()
    pickers: tuple[Picker, ...] = ()
    # True when `text` is written by the bot alone (help): a door may render its `code spans` as code. Otherwise
    # `text` holds what people typed, and doors show it exactly as typed.
    markup: bool = False
    # What the card leaves out ("… 22 earlier entries; `export` for the full record"): written by the bot, shown
    # under the title, and kept by doors whatever else they cut to fit, so their own counts add to it.
    note: str = ""
    # `text` is words prepared for others to send (a holding statement, an answer): a door that does not itself show
    # them the way Slack and Teams will (the console) previews that, escaped as those doors send it.
    preview: bool = False


@dataclass(frozen=True)
class File:
    """A document for the person who asked (a report): each door delivers it its own way."""

    name: str
    content: str
    media_type: str = "text/markdown"


@dataclass(frozen=True)
class Room:
    """How opening a crisis's own conversation went: its id, or why the crisis stays where it was opened."""

    conversation: str | None
    problem: str = ""
    # Its display name, where the platform gives one (a Slack channel's name), for timelines and reports.
    name: str = ""


@dataclass(frozen=True)
class Reply:
    text: str = ""
    cards: tuple[Card, ...] = ()
    # Only for the person who asked: refusals, help, confirmations.
    private: bool = False
    incident: str | None = None
    # People the text mentions, so doors that need explicit mention entities (Teams) can build them.
    mentions: tuple[str, ...] = field(default=())
    file: File | None = None
    # The incident's cards as this command left them (the door updates the very message that was clicked).
    refreshed: tuple[Card, ...] = field(default=())
    # Where the crisis this command opened now lives, on platforms that open a room for each (None elsewhere).
    room: Room | None = None
    # For the asker's eyes in the strictest sense (a personal dashboard link): a door that cannot answer one person
    # alone inside a shared conversation sends it to them in a personal chat instead.
    personal: bool = False
