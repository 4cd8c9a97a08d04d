"""A version approved in full: by every role its draft requires. The report lists them all; the dashboard's latest
approved statement leaves out a draft discarded since."""

from __future__ import annotations

from adapters.web.board import latest_approved
from bot.i18n import translator
from tests.harness import Harness


def test_a_version_is_approved_in_full_once_every_required_role_approved_it_and_stays_so() -> None:
    h = Harness()
    h.say("open Leak --sev 2")
    h.say("assign legal @carol")
    h.say("assign comms @bob")
    h.say("draft We are looking into it.")
    h.say("approve", person="carol")
    assert not h.incident().drafts[0].approved_in_full(1)  # comms has not approved yet
    h.say("approve", person="bob")
    assert h.incident().drafts[0].approved_in_full(1)
    t = translator("en")
    latest = latest_approved(h.incident(), t)
    assert latest is not None and latest.text == "We are looking into it."
    h.say("discard 1")
    assert h.incident().drafts[0].approved_in_full(1)  # history does not change
    assert latest_approved(h.incident(), t) is None  # but discarded words are no longer the company's
