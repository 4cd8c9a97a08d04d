"""The Teams app package validates against the official manifest schema, with the icons Teams requires.

The schema is a vendored copy of `build/json-schemas/teams/v1.22/MicrosoftTeams.schema.json` from the npm
package `@microsoft/app-manifest` (1.1.2), the one Microsoft's own toolkit validates with.
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
from adapters.teams.package import APP_PACKAGE, PackageError, build_package, manifest
from bot.grammar import USAGE

SCHEMA = Path(__file__).parent / "schemas" / "MicrosoftTeams.v1.22.schema.json"
APP_ID = "6f0c2a5e-1b7d-4c39-9a41-3f5d2e8b7c10"


def errors(content: dict) -> list[str]:  # type: ignore[type-arg]
    schema = json.loads(SCHEMA.read_text())
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
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert json.loads(archive.read("manifest.json"))["id"] == APP_ID
        assert archive.read("outline.png") == (APP_PACKAGE / "outline.png").read_bytes()


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
