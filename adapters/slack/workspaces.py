"""Which Web API client to use for a conversation: one bot token, or one per workspace that installed the app."""

from __future__ import annotations

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient


class OneWorkspace:
    """The single-workspace case: one bot token for every conversation."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    def learn(self, conversation: str, enterprise_id: str | None, team_id: str | None) -> None:
        pass

    def same_workspace(self, new: str, existing: str) -> None:
        pass

    async def client_for(self, conversation: str) -> AsyncWebClient:
        return self.client


class InstalledWorkspaces(OneWorkspace):
    """The bot token of the workspace a conversation belongs to, from the OAuth installation store.

    The core's conversation ids are bare channel ids, so which workspace a channel belongs to is learned from
    the requests that come from it (and a channel the app creates belongs to the workspace it was created from).
    """

    def __init__(self, client: AsyncWebClient, store: AsyncInstallationStore) -> None:
        super().__init__(client)
        self.store = store
        self.teams: dict[str, tuple[str | None, str | None]] = {}

    def learn(self, conversation: str, enterprise_id: str | None, team_id: str | None) -> None:
        if team_id or enterprise_id:
            self.teams[conversation] = (enterprise_id, team_id)

    def same_workspace(self, new: str, existing: str) -> None:
        if existing in self.teams:
            self.teams[new] = self.teams[existing]

    async def client_for(self, conversation: str) -> AsyncWebClient:
        enterprise_id, team_id = self.teams.get(conversation, (None, None))
        bot = await self.store.async_find_bot(enterprise_id=enterprise_id, team_id=team_id)
        base = self.client
        return AsyncWebClient(token=bot.bot_token if bot else None, base_url=base.base_url, timeout=base.timeout,
                              retry_handlers=base.retry_handlers, session=base.session)
