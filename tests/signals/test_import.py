"""`crisisbot signals import`: a JSONL file into the database, its alerts printed; a bad line imports nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.cli import main
from adapters.runtime import build_runtime
from adapters.signals_import import read_lines
from tests.fakes import T0


def write(path: Path, lines: list[object]) -> Path:
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n", encoding="utf-8")
    return path


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}", "CRISISBOT_WATCH_TOPICS": "delivery: livraison",
              "CRISISBOT_WATCH_CHANNEL": "console:veille", "CRISISBOT_SPIKE": "3/10m"}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    return values


def test_import_stores_signals_once_and_prints_the_alert(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [{"text": f"livraison ratée {n}", "source": "trustpilot", "reach": n} for n in range(4)]
    path = write(tmp_path / "drill.jsonl", lines)
    assert main(["signals", "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Signal alert #1 · delivery" in out and "4 signal(s) imported, 0 already known" in out
    assert main(["signals", "import", str(path)]) == 0
    assert "0 signal(s) imported, 4 already known" in capsys.readouterr().out
    with build_runtime(env).dispatcher.uow_factory() as uow:
        assert len(uow.signals.matching("delivery", T0.replace(year=2000))) == 4


def test_a_bad_line_imports_nothing(env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "bad.jsonl", [{"text": "livraison"}, {"text": "livraison", "reach": "lots"}])
    assert main(["signals", "import", str(path)]) == 2
    assert "line 2: reach must be a whole number" in capsys.readouterr().err
    with build_runtime(env).dispatcher.uow_factory() as uow:
        assert not uow.signals.matching("delivery", T0.replace(year=2000))


def test_a_file_that_is_not_utf8_is_refused_with_its_line(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"text": "livraison"}\n{"text": "livraison rat\xe9e"}\n')
    assert main(["signals", "import", str(path)]) == 2
    assert f"{path}:2: not UTF-8 text" in capsys.readouterr().err
    with build_runtime(env).dispatcher.uow_factory() as uow:
        assert not uow.signals.matching("delivery", T0.replace(year=2000))


def test_a_file_saved_with_a_byte_order_mark_imports_through_a_server_too(tmp_path: Path) -> None:
    path = tmp_path / "notepad.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"text": "livraison"}\r\n')
    [(number, line)] = read_lines(path)
    assert number == 1 and json.loads(b"[" + line + b"]") == [{"text": "livraison"}]


def test_a_bad_line_is_named_by_its_line_in_the_file_blank_lines_included(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "gaps.jsonl"
    path.write_text('{"text": "livraison"}\n\n\n{"text": "livraison", "reach": -1}\n{oops\n', encoding="utf-8")
    assert main(["signals", "import", str(path)]) == 2
    assert f"{path}:5: malformed JSON" in capsys.readouterr().err
    path.write_text('{"text": "livraison"}\n\n\n{"text": "livraison", "reach": -1}\n', encoding="utf-8")
    assert main(["signals", "import", str(path)]) == 2
    assert "line 4: reach must be" in capsys.readouterr().err
