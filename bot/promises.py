"""Public promises of a next update, read from what the team tells the public. A pure function of text and time.

"Next update at 18:00", "prochain point à 18 h 30", "within 2 hours", "d'ici 2 heures", "by 6 pm",
"update tomorrow at 9:00", "at 6.30 pm", "at 18.00"... A time counts only in a sentence that speaks of an
update (a trigger word such as update, news, get back, point, nouvelles, reviendrons): "deliveries stopped at 14:00"
promises nothing.
Clock times are read in the zone said right after them ("17:00 CET", "18 h UTC", "6 pm GMT+1"), else in the
speaker's time zone; a time already past today means tomorrow.
Known limits: week days ("on Monday"), "this evening", "end of day" are not read; "d'ici 2 h" is a clock
time (02:00), "d'ici 2 heures" and "dans 2 h" are durations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

# The check-in comes this long before a promised update, so the team has time to write it.
MARGIN = timedelta(minutes=15)
# Further than this is not a "next update" but a plan; it is not tracked.
HORIZON = timedelta(days=7)

_APOS = "['’]"
# Words that speak of a coming update; past tenses ("updated", "were informed") are left out on purpose.
_TRIGGER = re.compile(
    r"\b(?:updates?|updating|news|back to you|get back|report back|keep you (?:posted|informed)|hear from us|"
    r"(?:more|further|new) (?:information|info|details)|inform(?:ing)?|(?:next|new|another) statement|"
    rf"point|nouvelles?|plus d{_APOS}info(?:rmation)?s?|revien\w+|revenir|reviendr\w+|tiendr\w+ inform\w*|"
    r"mise à jour|actualis\w+|communiquer\w*|communication)\b",
    re.IGNORECASE,
)
_WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "un": 1, "une": 1}
_RELATIVE = re.compile(
    r"\b(?P<prep>in|within|dans|sous|d['’]ici)\s+(?:the next\s+|the\s+|les\s+(?:prochaines?\s+)?)?"
    r"(?:(?P<half>half an|une demi-|une demie-)\s*(?:hour|heure)\b"
    r"|(?P<n>\d{1,3}|an?|one|une?)\s*(?P<unit>hours?|hrs?|heures?|minutes?|mins?|min|mn|h)\b(?:\s*(?P<more>\d{2})\b)?"
    r"|(?P<hour>the hour|l['’]heure)\b)",
    re.IGNORECASE,
)
_CLOCK = re.compile(
    r"(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ampm>[ap])\.?\s?m\b\.?"
    r"|(?P<h2>\d{1,2})[:.](?P<m2>\d{2})\b"
    r"|(?P<h3>\d{1,2})\s*h(?:eures?)?(?:\s*(?P<m3>\d{2}))?\b"
    r"|\b(?P<word>noon|midnight|midi|minuit)\b",
    re.IGNORECASE,
)
# A clock time counts after one of these words, or right after the trigger ("next update: 18:00").
_CLOCK_LEAD = re.compile(
    rf"(?:\b(?:at|by|before|around|until|till|for|à|a|avant|vers|pour|jusqu{_APOS}à|d{_APOS}ici|dès)|:)\s*$",
    re.IGNORECASE,
)
# A zone named right after a clock time: what the public was told wins over the speaker's own clock. Upper case
# only, so the French "et" is not Eastern Time; summer and winter names both mean the place's clock that day.
_ZONES = {
    "UTC": "UTC", "GMT": "UTC", "BST": "Europe/London", "WET": "Europe/Lisbon", "WEST": "Europe/Lisbon",
    "CET": "Europe/Paris", "CEST": "Europe/Paris", "EET": "Europe/Athens", "EEST": "Europe/Athens",
    "ET": "America/New_York", "EST": "America/New_York", "EDT": "America/New_York",
    "CT": "America/Chicago", "CST": "America/Chicago", "CDT": "America/Chicago",
    "MT": "America/Denver", "MST": "America/Denver", "MDT": "America/Denver",
    "PT": "America/Los_Angeles", "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
}
_ZONE = re.compile(
    r"\s*\(?(?P<zone>" + "|".join(sorted(_ZONES, key=len, reverse=True)) + r")"
    r"(?:\s*(?P<sign>[+\-−])\s*(?P<oh>\d{1,2})(?::?(?P<om>\d{2}))?)?(?![A-Za-z0-9])"
)
_TOMORROW = re.compile(r"\b(?:tomorrow|demain)\b", re.IGNORECASE)
_TOMORROW_NEXT = re.compile(r"[\s,]*(?:tomorrow|demain)\b", re.IGNORECASE)
_TOMORROW_FIRST = re.compile(r"\s*(?:tomorrow|demain)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[!?;\n]|\.(?=\s|$)")
_WORD_TIMES = {"noon": time(12), "midi": time(12), "midnight": time(0), "minuit": time(0)}


@dataclass(frozen=True)
class Promise:
    due: datetime
    # The sentence that made it, as typed, so the timeline and report can quote it.
    excerpt: str


def parse(text: str, now: datetime, tz: str = "UTC") -> datetime | None:
    """When `text` promises the next update to the public (aware UTC), or None."""
    found = find(text, now, tz)
    return found.due if found else None


def find(text: str, now: datetime, tz: str = "UTC") -> Promise | None:
    try:
        zone = ZoneInfo(tz)
    except (ValueError, KeyError, OSError):
        zone = ZoneInfo("UTC")
    start = 0
    for end_match in [*_SENTENCE_END.finditer(text), None]:
        end = end_match.end() if end_match else len(text)
        sentence = text[start:end]
        start = end
        due = _in_sentence(sentence, now, zone)
        if due is not None and now < due <= now + HORIZON:
            return Promise(due.astimezone(UTC), sentence.strip()[:200])
    return None


def _in_sentence(sentence: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    trigger = _TRIGGER.search(sentence)
    if trigger is None:
        return None
    # (position, due) of every time the sentence names; the one after the trigger wins, else the last before it.
    found: list[tuple[int, datetime]] = []
    taken: list[tuple[int, int]] = []
    for match in _RELATIVE.finditer(sentence):
        delta = _duration(match)
        if delta is not None:
            found.append((match.start(), now + delta))
            taken.append(match.span())
    for match in _CLOCK.finditer(sentence):
        if any(a <= match.start() < b for a, b in taken):
            continue
        before = sentence[: match.start()]
        right_after_trigger = trigger.end() <= match.start() and not sentence[trigger.end() : match.start()].strip(" :–-")
        if not (_CLOCK_LEAD.search(before) or right_after_trigger):
            continue
        wall = _wall_time(match)
        if wall is not None:
            tomorrow = _says_tomorrow(sentence, trigger, match)
            found.append((match.start(), _next_at(wall, now, _said_zone(sentence, match.end()) or zone, tomorrow)))
    if not found:
        return None
    after = [due for at, due in sorted(found) if at >= trigger.start()]
    return after[0] if after else sorted(found)[-1][1]


def _duration(match: re.Match[str]) -> timedelta | None:
    if match.group("half"):
        return timedelta(minutes=30)
    if match.group("hour"):
        return timedelta(hours=1)
    word = match.group("n").lower()
    count = _WORD_NUMBERS.get(word) if not word.isdigit() else int(word)
    unit = match.group("unit").lower()
    if count is None or count == 0:
        return None
    if unit == "h" and match.group("prep").lower().startswith("d") and match.group("prep").lower() != "dans":
        return None  # "d'ici 18 h" is a clock time
    if unit.startswith(("h", "heure")):
        minutes = int(match.group("more") or 0)
        return timedelta(hours=count, minutes=minutes) if minutes < 60 else None
    return timedelta(minutes=count)


def _wall_time(match: re.Match[str]) -> time | None:
    if match.group("word"):
        return _WORD_TIMES.get(match.group("word").lower())
    hour_text = match.group("h") or match.group("h2") or match.group("h3")
    minute_text = match.group("m") or match.group("m2") or match.group("m3") or "0"
    hour, minute = int(hour_text), int(minute_text)
    if match.group("ampm"):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match.group("ampm").lower() == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _says_tomorrow(sentence: str, trigger: re.Match[str], said_time: re.Match[str]) -> bool:
    """Whether "tomorrow" is said of this time: between it and the trigger ("update tomorrow at 9:00"), right after
    it ("at 9:00 tomorrow"), or opening the sentence ("Tomorrow, we will update you at 9:00"). Said of something
    else ("deliveries resume tomorrow, next update at 18:00"), it leaves the time today."""
    start, end = min(trigger.start(), said_time.start()), max(trigger.end(), said_time.end())
    if _TOMORROW.search(sentence, start, end):
        return True
    zone = _ZONE.match(sentence, said_time.end())
    if _TOMORROW_NEXT.match(sentence, zone.end() if zone else said_time.end()):
        return True
    return _TOMORROW_FIRST.match(sentence) is not None


def _said_zone(sentence: str, end: int) -> tzinfo | None:
    """The zone named right after a clock time ending at `end`, if any: `CET`, `UTC`, `GMT+1`, `UTC-05:00`."""
    said = _ZONE.match(sentence, end)
    if said is None:
        return None
    if said.group("sign") is None:
        return ZoneInfo(_ZONES[said.group("zone")])
    hours, minutes = int(said.group("oh")), int(said.group("om") or 0)
    if _ZONES[said.group("zone")] != "UTC" or hours > 14 or minutes > 59:
        return None  # "CET+1" means nothing clear; the speaker's clock is the better guess
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if said.group("sign") in "-−" else offset)


def _next_at(wall: time, now: datetime, zone: tzinfo, tomorrow: bool) -> datetime:
    """The first moment after `now` showing `wall` on the speaker's clock (the day after, when they say so)."""
    local = now.astimezone(zone)
    day = local.date() + timedelta(days=1 if tomorrow else 0)
    due = datetime.combine(day, wall, tzinfo=zone)
    if due <= local:
        due = datetime.combine(day + timedelta(days=1), wall, tzinfo=zone)
    return due


def clock(due: datetime, at: datetime, tz: str) -> str:
    """`18:00`, or `2026-11-24 09:00` when the promised time is not on the day of `at`, in that time zone."""
    zone = ZoneInfo(tz)
    local = due.astimezone(zone)
    same_day = local.date() == at.astimezone(zone).date()
    return local.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M")
