"""People a Slack user mentioned inside their words (`<@U07>`) read as names on every page, as in the Markdown
report; an unknown incident's HTML report is refused like its page."""

from __future__ import annotations

from pathlib import Path

from adapters.web.report import render
from bot.config import Settings
from bot.i18n import translator
from tests.fakes import FakeClock
from tests.web.conftest import Served, start
from tests.web.crisis import environment, say

NAMES = (("U1", "Ada Lead"), ("U2", "Bea Comms"), ("U7", "Carol Legal"))


async def test_a_mention_inside_a_title_or_a_draft_reads_as_the_name_everywhere(tmp_path: Path) -> None:
    served = await start(environment(tmp_path), FakeClock(), crisis=False)
    try:
        say(served.runtime, "open Complaint escalated by <@U7> <b>now</b> --sev 3", person="U1", names=NAMES)
        say(served.runtime, "assign comms @U2", person="U1")
        say(served.runtime, "draft <@U7> will call each customer back.", person="U1")
        say(served.runtime, "approve", person="U2")
        await served.enter()
        board = await (await served.client.get("/dashboard")).text()
        page = await (await served.client.get("/dashboard/CRI-1")).text()
        document = await (await served.client.get("/dashboard/CRI-1/report.html")).text()
        for html in (board, page, document):
            assert "&lt;@U7&gt;" not in html
            assert "Complaint escalated by @Carol Legal &lt;b&gt;now&lt;/b&gt;" in html
        for html in (page, document):
            assert "@Carol Legal will call each customer back." in html
    finally:
        await served.client.close()


async def test_the_report_of_an_unknown_incident_is_a_page_like_the_others(served: Served) -> None:
    await served.enter(person="bob", language="fr")
    response = await served.client.get("/dashboard/CRI-99/report.html")
    assert response.status == 404
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.content_type == "text/html"
    assert "Cet incident n’existe pas." in await response.text()


def test_the_exported_report_names_people_mentioned_in_the_title(tmp_path: Path) -> None:
    del tmp_path
    from tests.harness import Harness

    harness = Harness(Settings())
    harness.say("open Raised by <@U7>", person="U1")
    document = render(harness.incident(), {"U7": "Carol Legal"}, Settings(), translator("en"), harness.clock.now())
    assert "<title>CRI-1 · Raised by @Carol Legal</title>" in document
