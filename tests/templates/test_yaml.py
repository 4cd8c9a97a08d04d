"""Templates kept in version control: `crisisbot templates import FILE.yaml` and `crisisbot templates export`."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.template_files import TemplateFileError, read_templates
from tests.e2e.test_console import crisisbot

GOOD = """\
templates:
  - name: delivery-delay
    language: en
    text: |
      We are aware of delays on {product}. Next update at {time}.
  - name: retard-livraison
    language: fr
    text: Nous constatons des retards sur {product}.
"""

MALFORMED = {
    "templates:\n  - name: ok\n    text: fine\n  - name: 9bad\n    text: x\n": "name '9bad'",
    "templates:\n  - name: ok\n    text: [unclosed\n": "not valid YAML",
    "templates:\n  - name: ok\n    language: de\n    text: x\n": "language 'de'",
    "templates:\n  - name: ok\n": "text is missing",
    "templates:\n  - name: ok\n    text: a\n  - name: ok\n    text: b\n": "appears twice",
    "- name: ok\n": "`templates:` list",
}


def test_a_good_file_reads_as_name_language_text() -> None:
    assert read_templates(GOOD) == (
        ("delivery-delay", "en", "We are aware of delays on {product}. Next update at {time}."),
        ("retard-livraison", "fr", "Nous constatons des retards sur {product}."),
    )


@pytest.mark.parametrize(("content", "reason"), MALFORMED.items())
def test_a_malformed_file_is_refused_with_its_reason(content: str, reason: str) -> None:
    with pytest.raises(TemplateFileError, match=reason.replace("[", r"\[").replace("(", r"\(")):
        read_templates(content)


@pytest.mark.slow
def test_import_then_export_through_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("templates:\n  - name: ok\n    text: fine\n  - name: 9bad\n    text: x\n")
    refused = crisisbot(tmp_path, "templates", "import", "bad.yaml")
    assert refused.returncode == 2 and "name '9bad'" in refused.stderr and "nothing was imported" in refused.stderr
    assert "templates: []" in crisisbot(tmp_path, "templates", "export").stdout
    (tmp_path / "good.yaml").write_text(GOOD)
    imported = crisisbot(tmp_path, "templates", "import", "good.yaml")
    assert imported.returncode == 0, imported.stderr
    assert "2 new, 0 revised, 0 unchanged" in imported.stdout
    again = crisisbot(tmp_path, "templates", "import", "good.yaml")
    assert "0 new, 0 revised, 2 unchanged" in again.stdout
    in_french = crisisbot(tmp_path, "templates", "import", "good.yaml", "--lang", "fr")
    assert in_french.returncode == 0 and "Modèles importés" in in_french.stdout  # done, said in French, exits 0
    exported = crisisbot(tmp_path, "templates", "export").stdout
    assert read_templates(exported) == read_templates(GOOD) and "state: pending" in exported
