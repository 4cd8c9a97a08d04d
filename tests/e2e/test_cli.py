"""The `crisisbot` command line, run as a user runs it: help everywhere, migrations, the Teams package, `.env`."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from adapters.runtime import load_env
from storage import migrate
from tests.e2e.test_console import crisisbot

COMMANDS = (["console"], ["serve"], ["db"], ["db", "upgrade"], ["list"], ["export"], ["teams-package"])


@pytest.mark.slow
@pytest.mark.parametrize("words", [[], *COMMANDS], ids=lambda w: " ".join(w) or "crisisbot")
def test_help_everywhere(tmp_path: Path, words: list[str]) -> None:
    result = crisisbot(tmp_path, *words, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: crisisbot")


@pytest.mark.slow
def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    result = crisisbot(tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert "database is up to date" in result.stdout
    with sqlite3.connect(tmp_path / "crisis.db") as db:
        tables = {name for (name,) in db.execute("select name from sqlite_master where type = 'table'")}
        (revision,) = db.execute("select version_num from alembic_version").fetchone()
    assert {"incidents", "timeline_entries", "outbox", "inbox", "people"} <= tables
    assert revision == ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()


@pytest.mark.slow
def test_teams_package_needs_an_app_id_then_builds_the_zip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MICROSOFT_APP_ID", raising=False)
    refused = crisisbot(tmp_path, "teams-package", "--out", "app.zip")
    assert refused.returncode == 2 and "MICROSOFT_APP_ID" in refused.stderr
    (tmp_path / ".env").write_text("MICROSOFT_APP_ID=3f2504e0-4f89-41d3-9a0c-0305e82c3301\n")
    built = crisisbot(tmp_path, "teams-package", "--out", "app.zip")
    assert built.returncode == 0, built.stderr
    with zipfile.ZipFile(tmp_path / "app.zip") as package:
        assert {"manifest.json", "color.png", "outline.png"} <= set(package.namelist())
        assert "3f2504e0-4f89-41d3-9a0c-0305e82c3301" in package.read("manifest.json").decode()


def test_env_file_fills_in_what_the_environment_does_not_say(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("CRISISBOT_LANGUAGE=fr\nPORT=4000\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PORT", "5000")
    monkeypatch.delenv("CRISISBOT_LANGUAGE", raising=False)
    env = load_env()
    assert (env["CRISISBOT_LANGUAGE"], env["PORT"]) == ("fr", "5000")
