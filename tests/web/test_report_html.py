"""`crisisbot export CRI-1 --format html`: one self-contained page, figures first, the timeline drawn, then the
approved statements verbatim and the full log."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adapters.cli import main
from tests.fakes import FakeClock
from tests.web.conftest import Served
from tests.web.crisis import environment, play_crisis, runtime_for


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    env = environment(tmp_path)
    clock = FakeClock()
    play_crisis(runtime_for(env, clock), clock)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no .env of the developer's is read
    return tmp_path


def export(database: Path, *args: str) -> str:
    out = database / "report.html"
    assert main(["export", *args, "--out", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def test_the_html_report_is_self_contained(database: Path) -> None:
    html = export(database, "CRI-1", "--format", "html")
    assert html.startswith("<!doctype html>")
    # Nothing fetched: no script, no link to a stylesheet, no image or font from anywhere.
    assert "<script" not in html and "<link" not in html and "<img" not in html and "@import" not in html
    assert not re.search(r'\b(?:src|href)="', html)
    assert not re.search(r"url\(", html)
    assert html.count("<svg") == 1 and "@media print" in html and "@page" in html


def test_the_html_report_puts_the_figures_first_then_the_drawing_statements_and_log(database: Path) -> None:
    html = export(database, "CRI-1", "--format", "html")
    order = [html.index(f'<section id="{name}">') for name in ("figures", "drawing", "statements", "log")]
    assert order == sorted(order)
    figures = html.split('<section id="figures">', 1)[1].split("</section>", 1)[0]
    for label in ("First signal", "Opened", "First approved statement", "Resolved",
                  "Longest silence between status updates", "Time comms took to approve",
                  "Time legal took to approve", "Check-ins overdue", "Approvals overdue"):
        assert f"<dt>{label}</dt>" in figures, label
    statements = html.split('<section id="statements">', 1)[1].split("</section>", 1)[0]
    assert "<blockquote>We know parcels are late. Next update by 18:00.</blockquote>" in statements
    assert "X and website" in statements
    log = html.split('<section id="log">', 1)[1].split("</section>", 1)[0]
    assert "update: Carrier confirmed &lt;b&gt;48 h&lt;/b&gt; delay &amp; a fix" in log
    assert "@Carol Legal" in log


def test_the_drawing_shows_the_life_updates_silences_drafts_and_role_changes(database: Path) -> None:
    html = export(database, "CRI-1", "--format", "html")
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert svg.count('<rect class="active"') == 2  # active from opening to resolution, and the legend's
    assert svg.count('<line class="update"') == 2  # one status update (and the legend's tick)
    assert '<rect class="silence"' in svg  # 1h30 without an update at severity 2 (due every hour)
    assert '<rect class="written"' in svg and '<rect class="approved"' in svg
    assert svg.count('<circle class="publication"') == 2  # the publication, and the legend's
    assert svg.count('<path class="role"') == 4  # three assignments, and the legend's
    assert "Draft #1" in svg and "silence of 1h30" in svg


def test_the_html_report_speaks_french_when_asked(database: Path) -> None:
    html = export(database, "CRI-1", "--format", "html", "--lang", "fr")
    assert '<html lang="fr">' in html and "Déclarations approuvées" in html and "Journal complet" in html


def test_markdown_stays_the_default(database: Path) -> None:
    markdown = export(database, "CRI-1")
    assert markdown.startswith("# CRI-1 · Delivery delays in the north")
    assert "<svg" not in markdown


def test_an_unknown_incident_is_said_and_nothing_is_written(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "CRI-42", "--format", "html", "--out", str(database / "x.html")]) == 2
    assert "There is no incident CRI-42" in capsys.readouterr().err
    assert not (database / "x.html").exists()


async def test_the_incident_page_links_to_the_same_report(served: Served) -> None:
    await served.enter()
    response = await served.client.get("/dashboard/CRI-1/report.html")
    assert response.status == 200
    assert response.headers["Content-Disposition"] == 'inline; filename="CRI-1-report.html"'
    html = await response.text()
    assert "<svg" in html and "<script" not in html
