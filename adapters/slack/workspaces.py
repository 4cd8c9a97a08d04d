"""Which Web API client to use for a conversation: one bot token, or one per workspace that installed the app.

The core's conversation ids are bare Slack ids (a channel, or a person for direct messages), so which workspace
one belongs to is learned from the requests that mention it, remembered in the database (the scheduler of a
fresh process sends reminders to conversations it never heard from), and used to pick that workspace's bot
token from the OAuth installation store.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.markup import SLACK_MENTION

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Workspace:
    """Where an installation lives: a team, or a whole Enterprise Grid organization for an org-wide install."""

    enterprise_id: str | None
    team_id: str | None
    is_enterprise_install: bool = False

    @property
    def known(self) -> bool:
        return bool(self.team_id or self.enterprise_id)


class ConversationWorkspaces(Protocol):
    """The stored conversation → workspace mapping (synchronous: called in a worker thread)."""

    def find(self, conversation: str) -> Workspace | None: ...

    def save(self, conversations: Sequence[str], workspace: Workspace) -> None: ...


class MemoryConversationWorkspaces:
    """The mapping kept only in memory, for a door built without a database."""

    def __init__(self) -> None:
        self.rows: dict[str, Workspace] = {}

    def find(self, conversation: str) -> Workspace | None:
        return self.rows.get(conversation)

    def save(self, conversations: Sequence[str], workspace: Workspace) -> None:
        self.rows.update(dict.fromkeys(conversations, workspace))


def heard_of(body: Mapping[str, Any], channel: str | None, user: str | None) -> list[str]:
    """Every conversation and person a request names: where it came from, who sent it, who it mentions or picks.

    People count as conversations because a direct message is posted to a person's id.
    """
    found = [channel, user]
    event = body.get("event") or {}
    for text in (body.get("text"), event.get("text") if isinstance(event, Mapping) else None):
        if isinstance(text, str):
            found.extend(SLACK_MENTION.findall(text))
    for action in body.get("actions") or []:
        found.append(action.get("selected_user"))
        found.extend(action.get("selected_users") or [])
    return list(dict.fromkeys(f for f in found if isinstance(f, str) and f))


class OneWorkspace:
    """The single-workspace case: one bot token for every conversation."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def learn(self, workspace: Workspace, conversations: Iterable[str]) -> None:
        pass

    async def same_workspace(self, existing: str, new: Iterable[str]) -> None:
        pass

    async def client_for(self, conversation: str) -> AsyncWebClient:
        return self.client

    async def team_of(self, conversation: str) -> str:
        """The workspace of a conversation or person, "" when there is only one."""
        return ""


class InstalledWorkspaces(OneWorkspace):
    """The bot token of the workspace a conversation belongs to, from the OAuth installation store."""

    def __init__(self, client: AsyncWebClient, installations: AsyncInstallationStore,
                 conversations: ConversationWorkspaces | None = None) -> None:
        super().__init__(client)
        self.installations = installations
        self.conversations = conversations or MemoryConversationWorkspaces()
        # What this process already knows, so that only news reaches the database.
        self.known: dict[str, Workspace] = {}

    async def learn(self, workspace: Workspace, conversations: Iterable[str]) -> None:
        if not workspace.known:
            return
        new = [c for c in conversations if self.known.get(c) != workspace]
        if not new:
            return
        await asyncio.to_thread(self.conversations.save, new, workspace)
        self.known.update(dict.fromkeys(new, workspace))

    async def same_workspace(self, existing: str, new: Iterable[str]) -> None:
        """A channel the app created, and the people it invited there, belong to the workspace it was created from
        (people named only in the roster are heard of nowhere else)."""
        workspace = await self.workspace_of(existing)
        if workspace is not None:
            await self.learn(workspace, new)

    async def workspace_of(self, conversation: str) -> Workspace | None:
        workspace = self.known.get(conversation)
        if workspace is None:
            workspace = await asyncio.to_thread(self.conversations.find, conversation)
            if workspace is not None:
                self.known[conversation] = workspace
        return workspace

    async def team_of(self, conversation: str) -> str:
        workspace = await self.workspace_of(conversation)
        return workspace.team_id or "" if workspace is not None else ""

    async def client_for(self, conversation: str) -> AsyncWebClient:
        workspace = await self.workspace_of(conversation)
        if workspace is None:
            # Without a workspace there is no token to choose; the call fails with Slack's not_authed, logged there.
            log.warning("no workspace is known for Slack conversation %s: no bot token to use", conversation)
            return self.client
        bot = await self.installations.async_find_bot(
            enterprise_id=workspace.enterprise_id, team_id=workspace.team_id,
            is_enterprise_install=workspace.is_enterprise_install,
        )
        if bot is None:
            log.warning("no bot installation for workspace %s (enterprise %s): was the app uninstalled?",
                        workspace.team_id, workspace.enterprise_id)
            return self.client
        base = self.client
        return AsyncWebClient(token=bot.bot_token, base_url=base.base_url, timeout=base.timeout,
                              retry_handlers=base.retry_handlers, session=base.session)
