"""`crisisbot signals import FILE.jsonl`: signals from a file, one JSON object a line, for demos and drills.

Into this database (alerts it raises are printed here, as the console shows cards), or, with `--url`, through a
running server's `POST /signals` (signed with CRISISBOT_SIGNALS_SECRET), so its doors post the alerts.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

import aiohttp

from adapters.console.render import Controls, reply_text
from adapters.runtime import build_runtime
from adapters.signals_http import SIGNATURE, Refused, parse_signals, signature_of
from bot.i18n import translator
from bot.replies import Reply
from bot.signals.intake import SignalIntake
from bot.signals.model import Signal

BATCH = 100


class BadFile(Exception):
    """A line that is no signal: nothing of the file is imported."""


def read_lines(path: Path) -> list[tuple[int, bytes]]:
    """The file's non-blank lines with their numbers in the file, each checked as a signal (raises BadFile naming the
    first bad line)."""
    raw = path.read_bytes()
    # Notepad and Excel save UTF-8 with a byte order mark: kept, it would break the batch sent to a server.
    lines = [(n, line) for n, line in enumerate(raw.removeprefix(b"\xef\xbb\xbf").splitlines(), 1) if line.strip()]
    for number, line in lines:
        try:
            line.decode()
        except UnicodeDecodeError as error:
            raise BadFile(f"{path}:{number}: not UTF-8 text ({error.reason} at byte {error.start})") from None
        try:
            data = json.loads(line)
        except (ValueError, RecursionError) as error:
            raise BadFile(f"{path}:{number}: malformed JSON: {error}") from None
        if not isinstance(data, dict):
            raise BadFile(f"{path}:{number}: each line must be one JSON object")
    return lines


def _signals(lines: list[tuple[int, bytes]], now: Callable[[], datetime]) -> list[Signal]:
    found: list[Signal] = []
    for number, line in lines:
        try:
            found += parse_signals(line, now())
        except Refused as error:
            raise BadFile(f"line {number}: {error}") from None
    return found


async def into_database(path: Path, env: Mapping[str, str], write: Callable[[str], None]) -> tuple[int, int]:
    runtime = build_runtime(dict(env))
    signals = _signals(read_lines(path), runtime.dispatcher.clock.now)
    intake = SignalIntake(runtime.dispatcher, runtime.gateways)
    t = translator(runtime.settings.language)
    accepted = duplicates = 0
    for start in range(0, len(signals), BATCH):
        recorded = await asyncio.to_thread(intake.record, signals[start : start + BATCH])
        accepted, duplicates = accepted + recorded.accepted, duplicates + recorded.duplicates
        for notice in recorded.notices:
            for line in reply_text(Reply(cards=(notice.card,)), Controls(), t):
                write(line)
    return accepted, duplicates


async def through_server(path: Path, url: str, secret: str) -> tuple[int, int]:
    lines = read_lines(path)
    accepted = duplicates = 0
    async with aiohttp.ClientSession() as session:
        for start in range(0, len(lines), BATCH):
            batch = lines[start : start + BATCH]
            body = b"[" + b",".join(line for _, line in batch) + b"]"
            headers = {"Content-Type": "application/json"}
            if secret:
                headers[SIGNATURE] = signature_of(secret, body)
            async with session.post(url.rstrip("/") + "/signals", data=body, headers=headers) as response:
                answer = await response.json()
                if response.status != 202:
                    raise BadFile(f"lines {batch[0][0]}-{batch[-1][0]}: HTTP {response.status}: {answer}")
            accepted, duplicates = accepted + answer["accepted"], duplicates + answer["duplicates"]
    return accepted, duplicates
