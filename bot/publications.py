"""What a report needs to judge each publication against the severities the incident went through."""

from __future__ import annotations

from dataclasses import dataclass

from bot import events as ev
from bot.drafts import Draft, Publication
from bot.model import Incident


@dataclass(frozen=True)
class PublicationRules:
    draft: Draft
    publication: Publication
    # The most critical severity the incident reached after this publication, when more critical than its rules.
    reached_later: int | None

    @property
    def under(self) -> int:
        """The severity whose approval policy the published words met ("published under severity 3 rules")."""
        return self.publication.severity


def publication_rules(incident: Incident) -> list[PublicationRules]:
    """Every publication in time order, with the severity it went out under and any later, more critical one.

    Needs the whole timeline (`get_whole`). "Published under severity 3 rules; the incident reached severity 2 later"
    is a fair account, not a breach: publishing below the policy in force is refused by the core.
    """
    raises = [(e.at, e.event.new) for e in incident.timeline if isinstance(e.event, ev.SeverityChanged)]
    found = []
    for draft in incident.drafts:
        for publication in draft.publications:
            later = [severity for at, severity in raises if at > publication.at and severity < publication.severity]
            found.append(PublicationRules(draft, publication, min(later) if later else None))
    return sorted(found, key=lambda r: r.publication.at)
