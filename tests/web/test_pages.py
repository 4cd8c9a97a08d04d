"""What the two pages show, for a crisis in each state, read back from real HTTP responses."""

from __future__ import annotations

import re
from pathlib import Path

from tests.fakes import FakeClock
from tests.web.conftest import Served, start
from tests.web.crisis import environment, say


def rows(html: str) -> list[str]:
    return re.findall(r'<tr id="(CRI-\d+)"', html)


def row(html: str, key: str) -> str:
    return html.split(f'<tr id="{key}"', 1)[1].split("</tr>", 1)[0]


async def test_the_board_lists_active_and_monitoring_incidents_most_severe_first(served: Served) -> None:
    await served.enter()
    html = await (await served.client.get("/dashboard")).text()
    assert rows(html) == ["CRI-3", "CRI-2"]  # CRI-1 is resolved: `status CRI-1` still shows it, the board does not
    recall = row(html, "CRI-3")
    assert "Product recall &lt;script&gt;alert(1)&lt;/script&gt;" in recall  # escaped, shown as typed
    assert "<script>alert" not in html
    assert "1 · critical" in recall and ">active<" in recall
    assert "<td>45m</td>" in recall  # open for
    assert '<td class="overdue">45m · overdue' in recall  # severity 1 is due every 30 minutes
    assert "#1 v1 · pending · waits for legal" in recall  # comms approved; nobody holds legal
    assert '<a href="/dashboard/CRI-3">' in recall
    rumour = row(html, "CRI-2")
    assert ">monitoring<" in rumour and "3 · moderate" in rumour and "overdue" not in rumour
    assert "<th>Signals</th>" not in html  # no signal data in this database


async def test_the_board_names_the_lead_and_the_holders_a_draft_waits_for(tmp_path: Path) -> None:
    served = await start(environment(tmp_path), FakeClock(), crisis=False)
    try:
        names = (("U1", "Ada Lead"), ("U2", "Bea Comms"))
        say(served.runtime, "open Outage --sev 2", person="U1", names=names)
        say(served.runtime, "assign lead @U1", person="U1")
        say(served.runtime, "assign comms @U2", person="U1")
        say(served.runtime, "draft We are on it.", person="U1")
        await served.enter()
        html = await (await served.client.get("/dashboard")).text()
        assert "<td>@Ada Lead</td>" in html
        assert "waits for comms (@Bea Comms), legal" in html
    finally:
        await served.client.close()


async def test_the_board_says_when_no_incident_is_open(tmp_path: Path) -> None:
    served = await start(environment(tmp_path), FakeClock(), crisis=False)
    try:
        await served.enter()
        html = await (await served.client.get("/dashboard")).text()
        assert '<p id="empty">No open incident.</p>' in html
    finally:
        await served.client.close()


async def test_the_page_of_a_resolved_crisis_shows_its_card_roles_drafts_statement_timeline_and_figures(
    served: Served,
) -> None:
    await served.enter()
    response = await served.client.get("/dashboard/CRI-1")
    html = await response.text()
    assert response.status == 200
    assert "CRI-1 · Delivery delays in the north" in html
    card = html.split('id="card"', 1)[1].split("</section>", 1)[0]
    assert "<dt>Status</dt><dd>resolved</dd>" in card
    assert "<dt>Severity</dt><dd>2 · high</dd>" in card
    assert "<dt>lead</dt><dd>@Alice Lead</dd>" in card
    assert "Carrier confirmed &lt;b&gt;48 h&lt;/b&gt; delay &amp; a fix" in card  # the latest update, as typed
    assert "We know parcels are late. Next update by 18:00. (X and website" in card  # latest public statement
    roles = html.split('id="roles"', 1)[1].split("</section>", 1)[0]
    assert "<td>comms</td><td>@Bob Comms</td>" in roles
    statement = html.split('id="statement"', 1)[1].split("</section>", 1)[0]
    assert "<blockquote>We know parcels are late. Next update by 18:00.</blockquote>" in statement
    drafts = html.split('id="drafts"', 1)[1].split("</section>", 1)[0]
    assert "approved for comms by @Bob Comms" in drafts and "approved for legal by @Carol Legal" in drafts
    assert "<dt>Published</dt>" in drafts
    figures = html.split('id="figures"', 1)[1].split("</section>", 1)[0]
    assert "<dt>First approved statement</dt><dd>2026-" in figures
    assert "<dt>Time legal took to approve</dt><dd>median 12m, longest 12m, approvals: 1</dd>" in figures
    assert "<dt>Longest silence between status updates</dt><dd>1h30</dd>" in figures
    assert "<svg" in figures
    timeline = html.split('id="timeline"', 1)[1].split("</section>", 1)[0]
    assert "status active → resolved: Deliveries back to normal" in timeline
    assert '<a href="/dashboard/CRI-1/report.html">' in html


async def test_the_page_of_a_monitored_and_of_an_active_crisis(served: Served) -> None:
    await served.enter()
    monitored = await (await served.client.get("/dashboard/CRI-2")).text()
    assert "<dt>Status</dt><dd>monitoring</dd>" in monitored
    assert "No statement approved yet." in monitored
    active = await (await served.client.get("/dashboard/cri-3")).text()
    assert "<dt>Status</dt><dd>active</dd>" in active
    assert "<dt>Approval: legal</dt><dd>waiting</dd>" in active
    assert "<dt>Approval: comms</dt><dd>approved by @Bob Comms</dd>" in active
    assert "&lt;script&gt;" in active and "<script>alert" not in active


async def test_an_unknown_incident_gets_404_and_a_sentence(served: Served) -> None:
    await served.enter()
    response = await served.client.get("/dashboard/CRI-99")
    assert response.status == 404
    assert "There is no such incident." in await response.text()


async def test_a_french_link_shows_the_pages_in_french(served: Served) -> None:
    await served.enter(person="bob", language="fr")
    board = await (await served.client.get("/dashboard")).text()
    assert '<html lang="fr">' in board and "Tableau de bord des crises" in board
    assert "surveillance" in board or "monitoring" not in board
    page = await (await served.client.get("/dashboard/CRI-1")).text()
    assert "Fiche de l’incident" in page and "Historique des rôles" in page


async def test_the_live_part_alone_is_served_for_the_script(served: Served) -> None:
    await served.enter()
    fragment = await (await served.client.get("/dashboard?fragment=1")).text()
    assert fragment.lstrip().startswith('<p class="note">')
    assert "<html" not in fragment and 'id="CRI-3"' in fragment
    page = await (await served.client.get("/dashboard/CRI-2?fragment=1")).text()
    assert "<html" not in page and "Rumour about a data leak" in page


async def test_the_board_shows_the_signal_trend_once_signals_are_stored(served: Served) -> None:
    from datetime import timedelta

    from bot.signals.model import Signal

    assert served.clock is not None
    now = served.clock.now()
    stamps = [now - timedelta(minutes=m) for m in (5, 10, 20, 30, 70)]  # 4 in the last hour, 1 the hour before
    signals = [Signal.of(f"late parcel {n}", at, source="x", id=f"s{n}") for n, at in enumerate(stamps)]
    with served.runtime.uow_factory() as uow:  # as the watch stores them, attached to CRI-3; one attached to nothing
        uow.signals.add([*signals, Signal.of("unrelated", now, source="x", id="other")], [(), (), (), (), (), ()])
        uow.signals.attach([s.id for s in signals], "CRI-3")
        uow.commit()
    await served.enter()
    html = await (await served.client.get("/dashboard")).text()
    assert "<th>Signals</th>" in html
    assert "<td>4 in the last hour · rising</td>" in row(html, "CRI-3")
    assert "<td></td>" in row(html, "CRI-2")
