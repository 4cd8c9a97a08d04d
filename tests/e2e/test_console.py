"""A whole crisis piped through `crisisbot console` as a subprocess, then listed and exported."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

SESSION = """\
/as alice
open Wave of complaints about late deliveries --sev 2
assign lead @alice
assign legal @carol
assign comms @bob
draft We know many of you are waiting for your parcel. We are on it.
approve
/as mallory
approve
/as carol
approve
/as bob
approve
publish 1 X and Facebook
update Carrier confirmed a 48 h delay
/as alice
resolve Deliveries back to normal
lesson Legal was assigned late
export
"""


def crisisbot(data: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`crisisbot <args>` in a fresh directory with its own SQLite database, as a user would run it."""
    env = {
        **os.environ, "DATABASE_URL": f"sqlite:///{data}/crisis.db", "CRISISBOT_LANGUAGE": "en", "PYTHONPATH": str(REPO),
    }
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args], input=stdin, capture_output=True, text=True, env=env, cwd=data,
        timeout=120, check=False,
    )


@pytest.mark.slow
def test_a_whole_crisis_through_the_console(tmp_path: Path) -> None:
    session = crisisbot(tmp_path, "console", stdin=SESSION)
    out = session.stdout
    assert session.returncode == 0, session.stderr
    assert "CRI-1 opened: Wave of complaints about late deliveries (severity 2 · high)." in out
    assert "(only you) You wrote version 1 of draft #1; someone else must approve it (four-eyes)." in out
    assert "(only you) Draft #1 needs approval from: comms, legal. You hold none of these roles." in out
    assert "CRI-1 · draft #1 v1 approved for legal" in out
    assert "CRI-1 · draft #1 v1 fully approved" in out
    assert "CRI-1 · draft #1 v1 published on X and Facebook" in out
    assert "CRI-1 · status active → resolved: Deliveries back to normal" in out
    assert "Traceback" not in out + session.stderr
    assert f"→ {tmp_path / 'CRI-1-report.md'}" in out
    saved = (tmp_path / "CRI-1-report.md").read_text(encoding="utf-8")
    assert "# CRI-1 · Wave of complaints" in saved and "- Legal was assigned late · @alice" in saved

    assert "No open incident." in crisisbot(tmp_path, "list").stdout

    report = tmp_path / "CRI-1.md"
    exported = crisisbot(tmp_path, "export", "CRI-1", "--out", str(report))
    assert exported.returncode == 0, exported.stderr
    text = report.read_text(encoding="utf-8")
    assert "# CRI-1 · Wave of complaints about late deliveries" in text
    assert "| First approved statement | " in text
    assert "approved for comms by @bob" in text and "approved for legal by @carol" in text
    assert "@bob · X and Facebook" in text
    assert "Carrier confirmed a 48 h delay" in text


@pytest.mark.slow
def test_exporting_an_unknown_incident_is_a_clear_error(tmp_path: Path) -> None:
    result = crisisbot(tmp_path, "export", "CRI-404")
    assert result.returncode == 1
    assert result.stderr.strip() == "There is no incident CRI-404. Try `list`."
