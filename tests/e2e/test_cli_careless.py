"""`crisisbot export` and `list` given careless arguments, or a database where people typed hostile text."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_console import crisisbot


@pytest.mark.slow
@pytest.mark.parametrize("form", ["md", "html"])
def test_export_to_a_folder_that_does_not_exist_says_so_without_a_traceback(tmp_path: Path, form: str) -> None:
    crisisbot(tmp_path, "console", stdin="open Wave of complaints\n")
    result = crisisbot(tmp_path, "export", "CRI-1", "--format", form, "--out", "missing/CRI-1.report")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("cannot write missing/CRI-1.report: "), result.stderr
    assert not (tmp_path / "missing").exists()


@pytest.mark.slow
def test_list_shows_control_characters_and_mentions_in_a_title_as_the_console_does(tmp_path: Path) -> None:
    crisisbot(tmp_path, "console", stdin="open Wave \x1b]0;owned\x07 for <@U07>\n")
    for listed in (crisisbot(tmp_path, "list"), crisisbot(tmp_path, "list", "--all")):
        assert "\x1b" not in listed.stdout and "\x07" not in listed.stdout
        assert "CRI-1 · Wave ␛]0;owned␇ for @U07" in listed.stdout, listed.stdout


@pytest.mark.slow
@pytest.mark.parametrize("option", [["--as", ""], ["--as", "a b"], ["--in", ""], ["--in", "x\x1by"]])
def test_the_console_will_not_start_as_nobody_or_nowhere(tmp_path: Path, option: list[str]) -> None:
    result = crisisbot(tmp_path, "console", *option, stdin="open Wave\n")
    assert result.returncode == 2
    assert "not a person: give one name" in result.stderr or "not a conversation: give one name" in result.stderr
    assert "CRI-1" not in result.stdout


@pytest.mark.slow
def test_a_report_printed_on_a_terminal_shows_control_characters_instead_of_obeying_them(tmp_path: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    from tests.e2e.test_console import REPO

    crisisbot(tmp_path, "console", stdin="open Wave \x1b]0;owned\x07 of complaints\n")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/crisis.db", "PYTHONPATH": str(REPO)}
    leader, follower = pty.openpty()
    with subprocess.Popen([sys.executable, "-m", "adapters.cli", "export", "CRI-1"], stdout=follower, env=env,
                          cwd=tmp_path) as process:
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        process.wait(timeout=60)
    os.close(leader)
    text = shown.decode("utf-8")
    assert "# CRI-1 · Wave ␛\\]0;owned␇ of complaints" in text, text[:200]
    assert "\x1b" not in text and "\x07" not in text
    piped = crisisbot(tmp_path, "export", "CRI-1")  # into a file or a pipe: the document exactly
    assert "# CRI-1 · Wave \x1b\\]0;owned\x07 of complaints" in piped.stdout
