"""The Teams app package: app-package/manifest.json with the bot's app id filled in, zipped with its icons.

`crisisbot teams-package --out crisisbot-teams.zip` calls `build_package`; the zip is what an admin uploads
in Teams (Apps → Manage your apps → Upload an app).
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

APP_PACKAGE = Path(__file__).resolve().parent / "app-package"
ICONS = ("color.png", "outline.png")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class PackageError(ValueError):
    """The package cannot be built as asked; the message says why."""


def manifest(app_id: str) -> dict[str, Any]:
    if not _GUID.match(app_id or ""):
        raise PackageError(
            f"MICROSOFT_APP_ID must be the bot's Microsoft app id (a GUID such as 6f0c2a5e-...), not {app_id!r}."
        )
    content: dict[str, Any] = json.loads((APP_PACKAGE / "manifest.json").read_text(encoding="utf-8"))
    # The Teams app and its bot share the one Entra app registration, so one id serves both.
    content["id"] = app_id
    for bot in content["bots"]:
        bot["botId"] = app_id
    for extension in content.get("composeExtensions", []):  # the message action "Report as crisis signal"
        extension["botId"] = app_id
    return content


def language_files(content: dict[str, Any]) -> list[str]:
    """The translation files the manifest names (`fr-fr.json`): Teams shows the app, its description and its
    command list in the language of each person's client, and English to the others."""
    info = content.get("localizationInfo", {})
    return [language["file"] for language in info.get("additionalLanguages", [])]


def build_package(out_path: str | Path, app_id: str) -> Path:
    out = Path(out_path)
    content = manifest(app_id)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # Teams expects the files at the root of the zip, not in a folder.
        archive.writestr("manifest.json", json.dumps(content, indent=2, ensure_ascii=False) + "\n")
        for name in (*ICONS, *language_files(content)):
            archive.write(APP_PACKAGE / name, name)
    return out
