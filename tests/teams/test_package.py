"""The Teams app package validates against the official manifest schema, with the icons Teams requires.

The schemas are vendored copies of `build/json-schemas/teams/v1.22/MicrosoftTeams.schema.json` and
`MicrosoftTeams.Localization.schema.json` from the npm package `@microsoft/app-manifest` (1.1.2), the one Microsoft's
own toolkit validates with.
"""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path

import jsonschema
import pytest

from adapters.teams.icons import color_icon, outline_icon
from adapters.teams.package import APP_PACKAGE, PackageError, build_package, language_files, manifest
from bot.grammar import USAGE, VERB_ALIASES
from bot.i18n import translator

SCHEMA = Path(__file__).parent / "schemas" / "MicrosoftTeams.v1.22.schema.json"
LOCALIZATION_SCHEMA = Path(__file__).parent / "schemas" / "MicrosoftTeams.Localization.v1.22.schema.json"
APP_ID = "6f0c2a5e-1b7d-4c39-9a41-3f5d2e8b7c10"


def errors(content: dict, schema_file: Path = SCHEMA) -> list[str]:  # type: ignore[type-arg]
    schema = json.loads(schema_file.read_text())
    # Draft 7 rules also check `const` (e.g. manifestVersion), which a draft-04 validator would skip.
    return [f"{list(e.path)}: {e.message}" for e in jsonschema.Draft7Validator(schema).iter_errors(content)]


def pixels(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height, depth, color_type = struct.unpack(">IIBB", data[16:26])
    assert (depth, color_type) == (8, 6)  # 8-bit RGBA
    raw = zlib.decompress(data[data.index(b"IDAT") + 4: data.index(b"IEND") - 8])
    stride = 1 + 4 * width
    assert all(raw[y * stride] == 0 for y in range(height))  # filter "none" on every row
    found = [tuple(raw[y * stride + 1 + 4 * x: y * stride + 5 + 4 * x]) for y in range(height) for x in range(width)]
    return width, height, found


def test_the_manifest_with_an_app_id_validates_against_the_teams_schema() -> None:
    content = manifest(APP_ID)
    assert errors(content) == []
    assert content["id"] == content["bots"][0]["botId"] == APP_ID
    assert set(content["bots"][0]["scopes"]) == {"personal", "team", "groupChat"}


def test_the_validation_would_catch_a_broken_manifest() -> None:
    content = manifest(APP_ID)
    content["manifestVersion"] = "1.5"
    del content["bots"][0]["botId"]
    assert len(errors(content)) == 2


def test_the_command_list_speaks_the_grammar() -> None:
    for command_list in manifest(APP_ID)["bots"][0]["commandLists"]:
        for command in command_list["commands"]:
            assert command["title"] in USAGE


def test_the_package_zips_the_manifest_and_icons_at_its_root(tmp_path: Path) -> None:
    out = build_package(tmp_path / "out" / "crisisbot-teams.zip", APP_ID)
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "fr-fr.json", "manifest.json", "outline.png"]
        assert json.loads(archive.read("manifest.json"))["id"] == APP_ID
        assert archive.read("outline.png") == (APP_PACKAGE / "outline.png").read_bytes()
        assert json.loads(archive.read("fr-fr.json"))["bots[0].commandLists[0].commands[0].title"] == "ouvrir"


def test_a_package_needs_a_real_app_id(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="MICROSOFT_APP_ID"):
        build_package(tmp_path / "x.zip", "")


def test_the_color_icon_is_192_square() -> None:
    width, height, _ = pixels((APP_PACKAGE / "color.png").read_bytes())
    assert (width, height) == (192, 192)
    assert (APP_PACKAGE / "color.png").read_bytes() == color_icon()


def test_the_outline_icon_is_32_square_white_on_transparent() -> None:
    width, height, found = pixels((APP_PACKAGE / "outline.png").read_bytes())
    assert (width, height) == (32, 32)
    assert {p for p in found if p[3]} == {(255, 255, 255, 255)}
    assert {p[3] for p in found} == {0, 255}
    assert (APP_PACKAGE / "outline.png").read_bytes() == outline_icon()


def french() -> dict[str, str]:
    return json.loads((APP_PACKAGE / "fr-fr.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_the_manifest_names_english_as_default_and_a_french_file() -> None:
    info = manifest(APP_ID)["localizationInfo"]
    assert info["defaultLanguageTag"] == "en-us"
    assert info["additionalLanguages"] == [{"languageTag": "fr-fr", "file": "fr-fr.json"}]
    assert language_files(manifest(APP_ID)) == ["fr-fr.json"]


def test_the_french_file_validates_against_the_teams_localization_schema() -> None:
    assert errors(french(), LOCALIZATION_SCHEMA) == []


def test_the_localization_validation_would_catch_a_broken_file() -> None:
    broken = {**french(), "bots[0].commandLists[0].commands[10].title": "onzième",
              "bots[0].commandLists[0].commands[0].title": 5}
    del broken["name.short"]
    assert len(errors(broken, LOCALIZATION_SCHEMA)) == 3


def test_the_french_texts_fit_the_lengths_teams_allows() -> None:
    # The schema puts maxLength beside a `$ref`, which JSON Schema draft 4 to 7 validators ignore: checked here.
    schema = json.loads(LOCALIZATION_SCHEMA.read_text())
    limits = {key: rule["maxLength"] for key, rule in schema["properties"].items() if "maxLength" in rule}
    limits |= {key: 128 for key in french() if key.startswith("bots[0]")}
    assert {key: len(text) for key, text in french().items() if key in limits and len(text) > limits[key]} == {}


def test_every_command_of_the_list_is_translated_to_a_french_verb_the_grammar_accepts() -> None:
    words = french()
    t = translator("fr")
    commands = manifest(APP_ID)["bots"][0]["commandLists"][0]["commands"]
    assert len([k for k in words if k.startswith("bots[0]")]) == 2 * len(commands)
    for n, command in enumerate(commands):
        title = words[f"bots[0].commandLists[0].commands[{n}].title"]
        description = words[f"bots[0].commandLists[0].commands[{n}].description"]
        assert VERB_ALIASES[title] == command["title"]  # French users type it and the grammar understands
        if " <" in USAGE[command["title"]] or " [" in USAGE[command["title"]]:
            assert description.endswith(t(USAGE[command["title"]]))  # the same usage line as the French help


def test_the_french_file_uses_french_punctuation() -> None:
    for key, text in french().items():
        if key != "$schema":
            assert " :" not in text and " ?" not in text and " !" not in text, key
