"""Alembic, driven from code: no alembic.ini and no particular working directory needed.

Alembic (with Mako, some 10 MB) is imported only when a migration runs: a process whose database is already at the
newest revision (`at_head`) never loads it.
"""

from __future__ import annotations

import re
import threading
import weakref
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from storage.engine import make_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

MIGRATION_LOCK = 0x6372_6973_6973  # "crisis": any constant shared by every crisisbot process

_ready: weakref.WeakSet[Engine] = weakref.WeakSet()
_lock = threading.Lock()


def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # ConfigParser interpolates %
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Brings the database at `url` to `revision` (what `crisisbot db upgrade` runs)."""
    engine = make_engine(url)
    try:
        upgrade_engine(engine, revision)
    finally:
        engine.dispose()


def downgrade(url: str, revision: str) -> None:
    from alembic import command

    engine = make_engine(url)
    try:
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
    finally:
        engine.dispose()


def upgrade_engine(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Replicas starting together on an empty database: one migrates, the others wait and find it done.
            # PostgreSQL's DDL is transactional, so the lock, held to commit, covers the whole upgrade.
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def ensure_schema(engine: Engine) -> None:
    """Migrates to head the first time an engine is used, so a fresh clone needs no setup step."""
    if engine in _ready:
        return
    with _lock:
        if engine not in _ready:
            if not at_head(engine):
                upgrade_engine(engine)
            _ready.add(engine)


@cache
def head_revision() -> str:
    """The newest migration, read from the scripts' `revision` and `down_revision` lines without Alembic."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        text = script.read_text(encoding="utf-8")
        revisions.update(re.findall(r'^revision\b[^=]*=\s*"([^"]+)"', text, re.MULTILINE))
        parents.update(re.findall(r'^down_revision\b[^=]*=\s*"([^"]+)"', text, re.MULTILINE))
    [head] = revisions - parents
    return head


def at_head(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            current = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    except DBAPIError:  # no version table yet: a new database
        return False
    return current == [head_revision()]
