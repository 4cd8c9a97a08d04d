"""Files the core answers with land in the console's folder, under their own name only."""

from pathlib import Path

from adapters.console.session import save_file
from bot.replies import File


def test_a_file_is_written_in_the_folder_with_its_content(tmp_path: Path) -> None:
    path = save_file(File("CRI-1-report.md", "# CRI-1 · Leak\n"), tmp_path)
    assert path == tmp_path / "CRI-1-report.md"
    assert path.read_text(encoding="utf-8") == "# CRI-1 · Leak\n"


def test_a_name_with_folders_cannot_write_outside_the_folder(tmp_path: Path) -> None:
    inside = tmp_path / "console"
    inside.mkdir()
    path = save_file(File("../../escape.md", "x"), inside)
    assert path == inside / "escape.md" and not (tmp_path / "escape.md").exists()
