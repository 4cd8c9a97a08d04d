"""Holding statements as a YAML file, so a team keeps them in version control (`crisisbot templates import|export`).

    templates:
      - name: delivery-delay
        language: en
        text: |
          We are aware of delays on {product}. Next update at {time}.

Importing proposes: new or changed words wait for the template approvers, as if typed in a chat.
A malformed file is refused whole, with the reason and where, and nothing is imported.
"""

from __future__ import annotations

from typing import Any

import yaml

from bot.i18n import LANGUAGES
from bot.templates import NAME, Template


class TemplateFileError(Exception):
    pass


def read_templates(content: str) -> tuple[tuple[str, str, str], ...]:
    try:
        data: Any = yaml.safe_load(content)
    except yaml.YAMLError as error:
        raise TemplateFileError(f"not valid YAML: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("templates"), list):
        raise TemplateFileError("expected a mapping with a `templates:` list")
    found: list[tuple[str, str, str]] = []
    for index, item in enumerate(data["templates"], 1):
        where = f"template {index}"
        if not isinstance(item, dict) or set(item) - {"name", "language", "text", "state"}:
            raise TemplateFileError(f"{where}: expected name, language and text")
        name, language, text = item.get("name"), item.get("language", "en"), item.get("text")
        if not isinstance(name, str) or not NAME.match(name.strip().lower()):
            raise TemplateFileError(f"{where}: name {name!r} must be letters, digits and dashes, starting with a letter")
        if language not in LANGUAGES:
            raise TemplateFileError(f"{where} ({name}): language {language!r} is not one of {', '.join(LANGUAGES)}")
        if not isinstance(text, str) or not text.strip():
            raise TemplateFileError(f"{where} ({name}): text is missing")
        if name.strip().lower() in (f[0] for f in found):
            raise TemplateFileError(f"{where}: {name} appears twice")
        found.append((name.strip().lower(), language, text.strip()))
    return tuple(found)


def write_templates(templates: list[Template]) -> str:
    """The templates in use (retired ones left out), each with its approved words, else the words proposed."""
    items = []
    for template in templates:
        if template.retired:
            continue
        words = template.signoff.approved or template.signoff.current
        items.append({"name": template.name, "language": template.language, "text": words.text,
                      "state": template.state})
    return yaml.safe_dump({"templates": items}, allow_unicode=True, sort_keys=False, width=120)
