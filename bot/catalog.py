"""Keeps the `.po` catalogs in step with the code: `python -m bot.catalog update` adds every new msgid.

A msgid is any literal passed as the first argument to a translator named `t` or to `N_`, the `message` of an
error class, or the first literal argument of a call to an error class. Values shown through `t(value)` (role
names, states, severity names) are listed in DYNAMIC.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import polib

from bot import errors
from bot.i18n import LANGUAGES, catalog_path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("bot", "adapters")

# Words translated at run time from data rather than from a literal in the code.
DYNAMIC = (
    "lead",
    "comms",
    "legal",
    "support",
    "product",
    "active",
    "monitoring",
    "resolved",
    "pending",
    "changes_requested",
    "approved",
    "rejected",
    "published",
    "discarded",
    "critical",
    "high",
    "moderate",
    "watch",
)


def _error_names() -> set[str]:
    names = {name for name, obj in vars(errors).items() if isinstance(obj, type) and issubclass(obj, errors.CrisisError)}
    return names | {"ConfigError"}


def _literal(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def msgids_in(source: str, error_names: set[str]) -> Iterator[str]:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in ("t", "N_") or name in error_names:
                text = _literal(node.args[0])
                if text:
                    yield text
        elif isinstance(node, ast.ClassDef) and (node.name in error_names):
            for statement in node.body:
                if isinstance(statement, ast.Assign) and any(
                    isinstance(target, ast.Name) and target.id == "message" for target in statement.targets
                ):
                    text = _literal(statement.value)
                    if text:
                        yield text


def python_files(root: Path = ROOT) -> Iterable[Path]:
    for folder in SOURCES:
        yield from sorted((root / folder).rglob("*.py"))


def extract(root: Path = ROOT) -> list[str]:
    names = _error_names()
    found: dict[str, None] = dict.fromkeys(DYNAMIC)
    for path in python_files(root):
        found.update(dict.fromkeys(msgids_in(path.read_text(encoding="utf-8"), names)))
    return list(found)


def update(root: Path = ROOT) -> dict[str, int]:
    """Adds missing msgids to every catalog (English ones translate to themselves) and drops those no longer used;
    returns how many were added."""
    msgids = extract(root)
    added = {}
    for language in LANGUAGES:
        path = catalog_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        po = polib.pofile(str(path)) if path.exists() else polib.POFile()
        po.metadata = po.metadata or {
            "Project-Id-Version": "crisisbot",
            "Language": language,
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit",
        }
        # Messages the code no longer says are dropped, so translators only see what is shown.
        for entry in [e for e in po if e.msgid not in msgids]:
            po.remove(entry)
        known = {entry.msgid for entry in po}
        count = 0
        for msgid in msgids:
            if msgid not in known:
                po.append(polib.POEntry(msgid=msgid, msgstr=msgid if language == "en" else ""))
                count += 1
        po.save(str(path))
        added[language] = count
    return added


if __name__ == "__main__":
    if sys.argv[1:] != ["update"]:
        sys.exit("usage: python -m bot.catalog update")
    for language, count in update().items():
        print(f"{language}: {count} new message(s)")
