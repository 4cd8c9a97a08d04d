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
