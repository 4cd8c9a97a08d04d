"""A comms director's crisis through the console, from the first statement to the exported post-mortem.

Severity 3: a holding statement goes out on comms' approval alone; a second statement is approved by comms, then the
crisis is raised to 2 and it goes back to legal; legal objects, the lead overrides, legal approves; it goes out on X
and the website, promising the next update at 18:00; the update comes in time; lessons, actions, resolution, export.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.console.terminal import Terminal

# Each step: who speaks, and what they type, in English and in French.
STEPS = {
    "open": ("alice", "open Complaints about the new app --sev 3", "ouvrir Plaintes sur la nouvelle appli --gravité 3"),
    "lead": ("alice", "assign lead @alice", "assigner pilote @alice"),
    "holding": ("alice", "draft We are looking into reports of problems with the app.",
                "brouillon Nous examinons les signalements de problèmes sur l’appli."),
    "approve 1": ("bob", "approve 1", "approuver 1"),
    "publish 1": ("bob", "publish 1 X", "publier 1 X"),
    "statement": ("alice", "draft We found the fault and are fixing it. Next update at 18:00.",
                  "brouillon Nous avons trouvé la panne et la corrigeons. Prochain point à 18 h."),
    "approve 2": ("bob", "approve 2", "approuver 2"),
    "raise": ("alice", "severity 2", "gravité 2"),
    "object": ("carol", "object 2 It admits liability for lost orders",
               "objection 2 Cela reconnaît une responsabilité pour les commandes perdues"),
    "override": ("alice", "override 2 Counsel agreed the wording by phone",
                 "passer-outre 2 L’avocat a validé la formulation par téléphone"),
    "legal": ("carol", "approve 2", "approuver 2"),
    "on X": ("bob", "publish 2 X", "publier 2 X"),
    "on website": ("bob", "publish 2 website", "publier 2 site web"),
    "update": ("alice", "update The fix reached every user.", "point Le correctif est arrivé chez tous les utilisateurs."),
    "lesson": ("carol", "lesson Show legal every statement once a raise is likely",
               "leçon Montrer chaque déclaration au juridique dès qu’une hausse est probable"),
    "action": ("alice", "action Add legal to the severity 3 roster @bob",
               "action Ajouter le juridique à l’astreinte de gravité 3 @bob"),
    "resolve": ("alice", "resolve The app works again", "résoudre L’appli fonctionne de nouveau"),
    "export": ("alice", "export", "exporter"),
}


class Director:
    """The console, one line per step, each as the person who would type it."""

    def __init__(self, language: str, folder: Path) -> None:
        self.term = Terminal(language=language)
        self.term.session.folder = folder
        self.column = 1 if language == "en" else 2
        self.speaker = ""

    def do(self, step: str) -> str:
        person, *lines = STEPS[step]
        if person != self.speaker:
            self.term.type(f"/as {person}")
            self.speaker = person
        self.term.clock.advance(minutes=2)
        return "\n".join(self.term.type(lines[self.column - 1]))

    def wake(self, **advance: float) -> str:
        return "\n".join(self.term.wake(**advance))


# What each language must show, step by step, and what the report must say.
EXPECT = {
    "en": {
        "raise": ["CRI-1 · draft #2 now also needs legal: severity raised to 2", "│ Approval: legal: waiting",
                  "CRI-1 · draft #1 now also needs legal: severity raised to 2",
                  "│ Publication: severity 2 requires approvals this version lacks"],
        "object": ["CRI-1 · objection to draft #2 v1: It admits liability for lost orders", "[direct message to @alice]"],
        "blocked": "(only you) Draft #2 has an open objection by @carol",
        "override": ["overridden by the lead: Counsel agreed the wording by phone", "[direct message to @carol]"],
        "reminded": "[direct message to @carol]\n  CRI-1 · draft #2 has waited 42m for your approval (legal).",
        "published": "│ Published: X · @bob · 2026-11-23 11:02 UTC\n  │   website · @bob · 2026-11-23 11:04 UTC",
        "promise": "CRI-1 · public promise: next update by 2026-11-23 18:00",
        "checkin": "You promised the public an update at 18:00.",
        "report": [
            "| First publication | 2026-11-23 10:10 UTC | 8m |",
            "- Peak severity: 2 · high, from 2026-11-23 10:16 UTC",
            "- Approvals overdue: reminders: 1, escalations: 0",
            "- Updates promised to the public: kept: 1, missed: 0, still ahead: 0",
            "| #1 v1 | X | @bob | published under severity 3 rules; the incident reached severity 2 later |",
            "| #2 v1 | X | @bob | published under severity 2 rules |",
            "| #2 v1 | website | @bob | published under severity 2 rules |",
            "| 2026-11-23 11:02 UTC | @bob | 2026-11-23 18:00 UTC | “Next update at 18:00.” | kept | 2026-11-23 17:47 UTC |",
            "- 2026-11-23 10:18 UTC · @carol · objection to draft #2 v1: It admits liability for lost orders",
            "@alice · objection to draft #2 by @carol overridden by the lead: Counsel agreed the wording by phone",
            "- Show legal every statement once a raise is likely · @carol ·",
            "- [ ] Add legal to the severity 3 roster · Owner: @bob · @alice ·",
            "- Status: resolved",
        ],
    },
    "fr": {
        "raise": ["CRI-1 · le brouillon n° 2 doit aussi être approuvé par juridique\u00a0: gravité relevée à 2",
                  "│ Approbation (juridique)\u00a0: en attente",
                  "│ Publication\u00a0: la gravité 2 exige des approbations que cette version n’a pas"],
        "object": ["CRI-1 · objection au brouillon n° 2 v1\u00a0: Cela reconnaît une responsabilité",
                   "[message privé à @alice]"],
        "blocked": "(vous seul) Le brouillon n° 2 fait l’objet d’une objection de @carol",
        "override": ["levée par le pilote\u00a0: L’avocat a validé la formulation par téléphone",
                     "[message privé à @carol]"],
        "reminded": "[message privé à @carol]\n  CRI-1 · le brouillon n° 2 attend votre validation (juridique) "
                    "depuis 42 min.",
        "published": "│ Publié\u00a0: X · @bob · 2026-11-23 11:02 UTC\n  │   site web · @bob · 2026-11-23 11:04 UTC",
        "promise": "CRI-1 · promesse publique\u00a0: prochain point avant 2026-11-23 18:00",
        "checkin": "Vous avez promis au public un point à 18:00.",
        "report": [
            "| Première publication | 2026-11-23 10:10 UTC | 8 min |",
            "- Approbations en retard\u00a0: relances\u00a0: 1, escalades\u00a0: 0",
            "- Points promis au public\u00a0: tenus\u00a0: 1, manqués\u00a0: 0, à venir\u00a0: 0",
            "| n° 1 v1 | X | @bob | publié selon les règles de la gravité 3\u00a0; "
            "l’incident a atteint la gravité 2 ensuite |",
            "| n° 2 v1 | X | @bob | publié selon les règles de la gravité 2 |",
            "| n° 2 v1 | site web | @bob | publié selon les règles de la gravité 2 |",
            "| 2026-11-23 18:00 UTC | «\u00a0Prochain point à 18 h.\u00a0» | tenue | 2026-11-23 17:47 UTC |",
            "@alice · objection de @carol au brouillon n° 2 levée par le pilote\u00a0: L’avocat a validé la formulation",
            "## Leçons et actions",
            "- Montrer chaque déclaration au juridique dès qu’une hausse est probable · @carol ·",
            "- [ ] Ajouter le juridique à l’astreinte de gravité 3 · Responsable\u00a0: @bob · @alice ·",
            "- Statut\u00a0: résolu",
        ],
    },
}


def _french(value: object) -> object:
    """French typography written plainly above: "n° 2" and "8 min" are printed with a non-breaking space."""
    if isinstance(value, str):
        return value.replace("n° ", "n°\u00a0").replace(" min", "\u00a0min")
    if isinstance(value, list):
        return [_french(v) for v in value]
    return value


EXPECT["fr"] = {key: _french(value) for key, value in EXPECT["fr"].items()}  # type: ignore[misc]


def shows(out: str, *lines: str) -> None:
    missing = [line for line in lines if line not in out]
    assert not missing, f"{missing} not in:\n{out}"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_comms_directors_crisis_from_first_statement_to_post_mortem(language: str, tmp_path: Path) -> None:
    expect = EXPECT[language]
    director = Director(language, tmp_path)
    for step in ("open", "lead", "holding", "approve 1", "publish 1", "statement", "approve 2"):
        director.do(step)
    shows(director.do("raise"), *expect["raise"])
    shows(director.do("object"), *expect["object"])
    assert director.wake(minutes=30) == ""  # legal's deadline passed, but an objection blocks the draft: no nagging
    shows("\n".join(director.term.type(STEPS["legal"][director.column])), expect["blocked"])  # still carol
    shows(director.do("override"), *expect["override"])
    # Counted from the raise at 10:16, not from the draft's writing at 10:12.
    shows(director.wake(minutes=8), expect["reminded"])
    director.do("legal")
    shows(director.do("on X"), expect["promise"])
    shows(director.do("on website"), expect["published"])
    shows(director.wake(hours=6, minutes=41), expect["checkin"])  # 17:45, a quarter of an hour before the promise
    director.do("update")
    for step in ("lesson", "action", "resolve"):
        director.do(step)
    out = director.do("export")
    path = tmp_path / "CRI-1-report.md"
    assert f"→ {path}" in out
    shows(path.read_text(encoding="utf-8"), *expect["report"])
