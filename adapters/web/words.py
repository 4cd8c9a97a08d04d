"""Every sentence of the dashboard's pages, translated here so the catalog tool finds them (it reads Python only)."""

from __future__ import annotations

from bot.i18n import Translator


def words(t: Translator) -> dict[str, str]:
    return {
        "lang": t.language,
        "board": t("Crisis dashboard"),
        "board_intro": t("Every active and monitoring incident, most severe first."),
        "none_open": t("No open incident."),
        "key": t("Incident"),
        "severity": t("Severity"),
        "status": t("Status"),
        "age": t("Open for"),
        "lead": t("Lead"),
        "since_update": t("Since the last update"),
        "due": t("Next update due"),
        "overdue": t("overdue"),
        "drafts": t("Drafts waiting"),
        "no_drafts": t("none"),
        "waits_for": t("waits for"),
        "signals": t("Signals"),
        "live": t("Live: this page follows every change by itself."),
        "static": t("This page shows the state when it was loaded; reload it for the latest."),
        "updated": t("Updated"),
        "back": t("All incidents"),
        "card": t("Incident card"),
        "roles": t("Roles"),
        "role": t("Role"),
        "holder": t("Holder"),
        "from": t("From"),
        "until": t("Until"),
        "role_history": t("Role history"),
        "public_replies": t("Public replies"),
        "versions": t("Versions"),
        "statement": t("Latest approved statement"),
        "no_statement": t("No statement approved yet."),
        "timeline": t("Timeline"),
        "when": t("When"),
        "who": t("Who"),
        "what": t("What"),
        "figures": t("How the crisis was handled"),
        "report": t("Report (HTML, printable)"),
        "not_found": t("There is no such incident."),
    }


def denied_words(t: Translator, reason: str) -> dict[str, str]:
    why = {
        "expired": t("This dashboard link has expired: links are valid 12 hours."),
        "missing": t("This page needs a personal dashboard link."),
    }.get(reason, t("This dashboard link is not valid."))
    return {
        "lang": t.language,
        "title": t("Dashboard link needed"),
        "why": why,
        "how": t("Type `dashboard` to crisisbot in Slack, Teams or the console: it answers you alone with a new link."),
    }


def off_words(t: Translator) -> dict[str, str]:
    return {
        "lang": t.language,
        "title": t("The dashboard is off"),
        "why": t("The operator must set CRISISBOT_SECRET_KEY (16 characters at least) and restart crisisbot."),
    }
