"""Holding statements, answers and the brief in French: French verbs, and no English word in what people read."""

from __future__ import annotations

from bot.config import Settings
from tests.core.test_french import english_words
from tests.harness import Harness

ROSTER = {"lead": ("lea",), "comms": ("carl",), "legal": ("lina",)}


def test_a_french_team_prepares_and_uses_a_holding_statement() -> None:
    h = Harness(Settings(language="fr", roster=ROSTER, frontline_channels=(("console", "support"),)))
    h.language = "fr"
    said: list[str] = []

    def say(text: str, person: str, conversation: str = "cellule") -> None:
        reply = h.say(text, person=person, conversation=conversation)
        said.append(reply.text)
        said.extend(f"{f.label} {f.value}" for card in reply.cards for f in card.fields)

    say("modèle retard-livraison Nous constatons des retards sur {produit}. Prochain point à {heure}.", "sam", "prep")
    say("approuver-modèle retard-livraison", "sam", "prep")
    say("approuver-modèle retard-livraison", "carl", "prep")
    say("approuver-modèle retard-livraison", "lina", "prep")
    say("modèles", "sam")
    say("ouvrir Bouilloires bloquées --gravité 1", "sam")
    say("utiliser retard-livraison produit=Bouilloire K2", "sam")
    say("utiliser retard-livraison produit=Bouilloire K2 heure=18h", "sam")
    say("approuver", "lea")
    say("réponse Ma commande est-elle en retard ? | Oui, de deux jours.", "sam")
    say("approuver-réponse 1", "sam")
    say("approuver-réponse 1", "carl")
    say("consigne Masquer les insultes, ne jamais supprimer une plainte.", "sam")
    say("approuver-consigne", "carl")
    say("publier 1 site web", "lea")
    say("fiche", "agent", "dm")
    assert any("demande une valeur pour heure" in line for line in said)  # the missing value, named
    assert h.incident().drafts[0].text.endswith("à 18h.")
    shown = [*said, *(p.reply.text for p in h.gateway.posts if p.reply is not None)]
    shown += [f"{f.label} {f.value}" for p in h.gateway.posts if p.reply for c in p.reply.cards for f in c.fields]
    shown += [f"{f.label} {f.value}" for u in h.gateway.updates if u.card for f in u.card.fields]
    leftovers = {line: english_words(line) for line in shown if english_words(line)}
    assert leftovers == {}
    assert any("quatre yeux" in line for line in said)


def test_retirer_with_a_name_retires_the_template_and_with_a_number_withdraws() -> None:
    from bot import commands as c
    from bot.grammar import parse

    assert parse("retirer retard-livraison") == c.RetireTemplate(name="retard-livraison")
    assert parse("retirer 2") == c.WithdrawObjection(number=2)
    assert parse("retirer") == c.WithdrawObjection(number=None)


def test_a_template_language_flag_names_a_language_the_bot_speaks() -> None:
    from bot import commands as c
    from bot.grammar import parse

    assert parse("modèle retard --langue fr Bonjour").language == "fr"  # type: ignore[attr-defined]
    for text in ("template delay --lang zz Hello", "template delay --lang", "modèle retard --langue"):
        command = parse(text)
        assert isinstance(command, c.Help) and command.usage == "template", text
