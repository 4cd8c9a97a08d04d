"""`crisisbot list --all` and `--status`: resolved incidents can be found again, to export their report."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.cli import main
from adapters.runtime import build_runtime
from bot.commands import Origin
from bot.grammar import parse


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Three incidents: CRI-1 resolved, CRI-2 monitoring, CRI-3 active (a false alarm resolved as such is CRI-4)."""
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path}/crisis.db"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("CRISISBOT_LANGUAGE", "en")
    runtime = build_runtime()
    lead = Origin("U1", "cli", "general")
    for text in ("open Payment outage --sev 1", "CRI-1 resolve Card processor back", "open Slow search --sev 3",
                 "CRI-2 monitor", "open Login errors --sev 2"):
        outcome = runtime.dispatcher.dispatch(parse(text), lead)
        assert outcome.events, (text, outcome.reply.text)
    return url


def listed(capsys: pytest.CaptureFixture[str], *flags: str) -> list[str]:
    assert main(["list", *flags]) == 0
    return capsys.readouterr().out.splitlines()


def test_list_shows_open_incidents_only(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = "\n".join(listed(capsys))
    assert "CRI-2" in out and "CRI-3" in out and "CRI-1 ·" not in out


def test_list_all_shows_resolved_incidents_too_newest_first(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    lines = listed(capsys, "--all")
    assert [line.split(" · ")[0] for line in lines] == ["CRI-3", "CRI-2", "CRI-1"]
    resolved = lines[2]
    assert "Payment outage" in resolved and " · resolved · " in resolved and "resolved 20" in resolved


@pytest.mark.parametrize(("status", "keys"), [("resolved", ["CRI-1"]), ("monitoring", ["CRI-2"]), ("active", ["CRI-3"])])
def test_list_by_status(database: str, capsys: pytest.CaptureFixture[str], status: str, keys: list[str]) -> None:
    assert [line.split(" · ")[0] for line in listed(capsys, "--status", status)] == keys


def test_an_unknown_status_is_refused(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["list", "--status", "closed"])
    assert exit_.value.code == 2 and "invalid choice: 'closed'" in capsys.readouterr().err


def test_list_in_french_and_when_nothing_matches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str], database: str) -> None:
    monkeypatch.setenv("CRISISBOT_LANGUAGE", "fr")
    lines = listed(capsys, "--status", "resolved")
    assert len(lines) == 1 and " · résolu · " in lines[0] and "ouvert le " in lines[0]
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/empty.db")
    assert listed(capsys, "--status", "monitoring") == ["Aucun incident sous surveillance."]
    monkeypatch.setenv("CRISISBOT_LANGUAGE", "en")
    assert listed(capsys, "--all") == ["No incident."]
