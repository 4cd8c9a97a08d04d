"""Holding statements and each incident's frontline material (answers, moderation line), stored as documents.

Both are small aggregates read and written whole (a template is a few versions of a paragraph; an incident has a
handful of answers), so each is one row: its key, a version checked on save, and its state as JSON, mapped to the
core's objects explicitly here. The version makes a lost race a `ConcurrentChange`, retried like an incident's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Connection, ForeignKeyConstraint, Table, bindparam, select
from sqlmodel import Field, SQLModel

from bot.answers import Answer, Frontline
from bot.errors import ConcurrentChange
from bot.model import Conversation
from bot.signoff import signoff_document, signoff_from
from bot.templates import Template
from storage.direct import run_one
from storage.tables import table_of


class TemplateRow(SQLModel, table=True):
    __tablename__ = "holding_statements"

    name: str = Field(primary_key=True)
    language: str
    version: int
    document: dict[str, Any] = Field(sa_type=JSON)


class FrontlineRow(SQLModel, table=True):
    __tablename__ = "frontline"
    __table_args__ = (ForeignKeyConstraint(["incident_number"], ["incidents.number"], ondelete="CASCADE"),)

    incident_number: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    version: int
    document: dict[str, Any] = Field(sa_type=JSON)


templates = table_of(TemplateRow)
frontline = table_of(FrontlineRow)


def _saves(table: Table, key_column: str) -> tuple[Any, Any]:
    """The insert of a first version, and the update checked by version, built once (see `storage.direct`)."""
    key = table.c[key_column]
    update = (
        table.update()
        .where(key == bindparam(f"key_{key_column}"), table.c.version == bindparam("key_version"))
        .values(version=table.c.version + 1)
    )
    return table.insert(), update


# Statements built once and run on the driver's cursor: a brief is read and saved by every publication and resolution.
TEMPLATE_BY_NAME = select(templates).where(templates.c.name == bindparam("name"))
FRONTLINE_OF = select(frontline).where(frontline.c.incident_number == bindparam("incident"))
SAVES = {"holding_statements": _saves(templates, "name"), "frontline": _saves(frontline, "incident_number")}


def template_document(template: Template) -> dict[str, Any]:
    place = [template.place.platform, template.place.id] if template.place else None
    retired = template.retired_at.isoformat() if template.retired_at else None
    return {"signoff": signoff_document(template.signoff), "place": place, "retired_at": retired,
            "retired_by": template.retired_by}


def template_from(row: Any) -> Template:
    doc = row.document
    place = Conversation(doc["place"][0], doc["place"][1]) if doc.get("place") else None
    retired = datetime.fromisoformat(doc["retired_at"]) if doc.get("retired_at") else None
    return Template(row.name, row.language, signoff_from(doc["signoff"]), place, retired, doc.get("retired_by", ""),
                    row.version)


def frontline_document(board: Frontline) -> dict[str, Any]:
    return {
        "answers": [{"number": a.number, "questions": a.questions, "signoff": signoff_document(a.signoff)}
                    for a in board.answers],
        "line": signoff_document(board.line) if board.line else None,
        "changed": [list(c) for c in board.changed],
        "changed_at": board.changed_at.isoformat() if board.changed_at else None,
        "posted": board.posted,
    }


def frontline_from(row: Any) -> Frontline:
    doc = row.document
    answers = [Answer(a["number"], list(a["questions"]), signoff_from(a["signoff"])) for a in doc["answers"]]
    return Frontline(
        row.incident_number, answers, signoff_from(doc["line"]) if doc.get("line") else None,
        [(str(c[0]), str(c[1])) for c in doc.get("changed", [])],
        datetime.fromisoformat(doc["changed_at"]) if doc.get("changed_at") else None,
        bool(doc.get("posted")), row.version,
    )


class _Documents:
    """What the unit of work handed out, and the document each had when loaded: only changed ones are written."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.tracked: dict[Any, tuple[Any, dict[str, Any] | None]] = {}

    def _save(self, table: Any, key_column: str, key: Any, version: int, values: dict[str, Any]) -> None:
        insert, update = SAVES[table.name]
        if version == 0:
            run_one(self.connection, insert, {key_column: key, "version": 1, **values}, (key_column, "version", *values))
            return
        params = {f"key_{key_column}": key, "key_version": version, **values}
        if run_one(self.connection, update, params, tuple(values)).rowcount != 1:
            raise ConcurrentChange()


class SqlTemplates(_Documents):
    def get(self, name: str) -> Template | None:
        if name in self.tracked:
            return self.tracked[name][0]  # type: ignore[no-any-return]
        row = run_one(self.connection, TEMPLATE_BY_NAME, {"name": name}).first()
        if row is None:
            return None
        found = template_from(row)
        self.tracked[name] = (found, template_document(found))
        return found

    def all(self) -> Sequence[Template]:
        rows = self.connection.execute(select(templates).order_by(templates.c.name)).all()
        return [self.get(row.name) or template_from(row) for row in rows]

    def add(self, template: Template) -> None:
        self.tracked[template.name] = (template, None)

    def flush(self) -> list[Template]:
        saved = []
        for name, (template, before) in sorted(self.tracked.items()):
            document = template_document(template)
            if document == before:
                continue
            values = {"language": template.language, "document": document}
            self._save(templates, "name", name, template.version, values)
            saved.append(template)
        return saved


class SqlFrontline(_Documents):
    def get(self, incident: int) -> Frontline:
        if incident in self.tracked:
            return self.tracked[incident][0]  # type: ignore[no-any-return]
        row = run_one(self.connection, FRONTLINE_OF, {"incident": incident}).first()
        found = frontline_from(row) if row is not None else Frontline(incident)
        self.tracked[incident] = (found, frontline_document(found) if row is not None else None)
        return found

    def flush(self) -> list[Frontline]:
        saved = []
        for number, (board, before) in sorted(self.tracked.items()):
            document = frontline_document(board)
            if document == before or (before is None and not board.answers and board.line is None and not board.posted):
                continue
            self._save(frontline, "incident_number", number, board.version, {"document": document})
            saved.append(board)
        return saved


def committed(saved: Sequence[Template | Frontline]) -> None:
    """Once the transaction is in: the objects carry the version now stored."""
    for item in saved:
        item.version += 1
