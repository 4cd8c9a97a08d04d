"""`join` through the core: a conversation keeps one implicit incident, so commands never land on another."""

from __future__ import annotations

from bot.model import Status
from tests.harness import Harness


def test_joining_a_second_active_incident_is_refused_and_the_first_stays_implicit() -> None:
    h = Harness()
    h.say("open Kettles", conversation="kettles")
    h.say("open Parcels", conversation="parcels")
    reply = h.say("join CRI-2", conversation="kettles")
    assert reply.private
    assert "CRI-1" in reply.text
    assert all(p.id != "kettles" for p in h.incident("CRI-2").places)
    h.say("resolve back to normal", conversation="kettles")
    assert h.incident("CRI-1").status is Status.RESOLVED
    assert h.incident("CRI-2").status is Status.ACTIVE


def test_a_conversation_whose_incident_is_resolved_may_join_another() -> None:
    h = Harness()
    h.say("open Kettles", conversation="kettles")
    h.say("resolve done", conversation="kettles")
    h.say("open Parcels", conversation="parcels")
    assert "now discussed" in h.say("join CRI-2", conversation="kettles").text


def test_the_refusal_is_in_french_for_a_french_speaker() -> None:
    h = Harness()
    h.language = "fr"
    h.say("ouvrir Bouilloires", conversation="bouilloires")
    h.say("ouvrir Colis", conversation="colis")
    assert h.say("rejoindre CRI-2", conversation="bouilloires").text == (
        "CRI-1 est déjà suivie dans cette conversation\u00a0; suivez CRI-2 depuis une autre."
    )
