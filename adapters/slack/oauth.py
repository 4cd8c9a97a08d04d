"""Multi-workspace installs: slack_sdk's SQLAlchemy stores on the project's database, and which workspace each
conversation belongs to, in a table next to theirs.

slack_sdk's async SQLAlchemy stores need an async database driver the project does not ship; the sync stores,
run in a worker thread, use the same DATABASE_URL as the rest of crisisbot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Boolean, Column, DateTime, MetaData, String, Table
from sqlalchemy.exc import IntegrityError

from adapters.slack.config import BOT_SCOPES, SlackConfig
from adapters.slack.workspaces import Workspace


class ThreadedInstallationStore(AsyncInstallationStore):
    def __init__(self, store: SQLAlchemyInstallationStore) -> None:
        self.store = store

    @property
    def logger(self) -> Any:
        return self.store.logger

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self.store.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self.store.save_bot, bot)

    async def async_find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                             is_enterprise_install: bool | None = False) -> Bot | None:
        return await asyncio.to_thread(
            self.store.find_bot, enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install
        )

    async def async_find_installation(self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None,
                                      is_enterprise_install: bool | None = False) -> Installation | None:
        return await asyncio.to_thread(
            self.store.find_installation, enterprise_id=enterprise_id, team_id=team_id, user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(self.store.delete_bot, enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                        user_id: str | None = None) -> None:
        await asyncio.to_thread(
            self.store.delete_installation, enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )


class ThreadedStateStore(AsyncOAuthStateStore):
    def __init__(self, store: SQLAlchemyOAuthStateStore) -> None:
        self.store = store

    @property
    def logger(self) -> Any:
        return self.store.logger

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(self.store.issue, *args, **kwargs)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self.store.consume, state)


class SQLAlchemyConversationWorkspaces:
    """Which workspace each conversation (a channel, or a person for direct messages) belongs to.

    Created like slack_sdk's own tables (`create_tables`), in the same database, since it only makes sense
    alongside the installations it points into.
    """

    def __init__(self, engine: sqlalchemy.Engine, table_name: str = "slack_conversation_workspaces") -> None:
        self.engine = engine
        self.metadata = MetaData()
        self.table = Table(
            table_name, self.metadata,
            Column("conversation_id", String(64), primary_key=True),
            Column("enterprise_id", String(32)),
            Column("team_id", String(32)),
            Column("is_enterprise_install", Boolean, nullable=False, default=False),
            Column("learned_at", DateTime(timezone=True), nullable=False),
        )

    def create_tables(self) -> None:
        self.metadata.create_all(self.engine)

    def find(self, conversation: str) -> Workspace | None:
        c = self.table.c
        query = sqlalchemy.select(c.enterprise_id, c.team_id, c.is_enterprise_install)
        query = query.where(c.conversation_id == conversation)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return Workspace(row.enterprise_id, row.team_id, bool(row.is_enterprise_install)) if row else None

    def save(self, conversations: Sequence[str], workspace: Workspace) -> None:
        for conversation in conversations:
            try:
                self._save_one(conversation, workspace)
            except IntegrityError:
                # Another replica inserted it between our update and our insert: it now exists, update it.
                self._save_one(conversation, workspace)

    def _save_one(self, conversation: str, workspace: Workspace) -> None:
        values = {"enterprise_id": workspace.enterprise_id, "team_id": workspace.team_id,
                  "is_enterprise_install": workspace.is_enterprise_install, "learned_at": datetime.now(UTC)}
        with self.engine.begin() as connection:
            updated = connection.execute(
                self.table.update().where(self.table.c.conversation_id == conversation).values(**values)
            )
            if updated.rowcount == 0:
                connection.execute(self.table.insert().values(conversation_id=conversation, **values))


@dataclass(frozen=True)
class OAuthStores:
    settings: AsyncOAuthSettings
    conversations: SQLAlchemyConversationWorkspaces


def oauth_stores(config: SlackConfig) -> OAuthStores:
    engine = sqlalchemy.create_engine(config.database_url)
    conversations = SQLAlchemyConversationWorkspaces(engine)
    conversations.create_tables()
    return OAuthStores(oauth_settings(config, engine), conversations)


def oauth_settings(config: SlackConfig, engine: sqlalchemy.Engine | None = None) -> AsyncOAuthSettings:
    engine = engine or sqlalchemy.create_engine(config.database_url)
    installations = SQLAlchemyInstallationStore(client_id=config.client_id, engine=engine)
    states = SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine)
    installations.create_tables()
    states.create_tables()
    return AsyncOAuthSettings(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=ThreadedInstallationStore(installations),
        state_store=ThreadedStateStore(states),
    )

