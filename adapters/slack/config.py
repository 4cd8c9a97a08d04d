"""The Slack door's settings, read from the runtime's environment mapping.

Secrets are kept out of `repr` so that logging a config object can never leak them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_API_URL = "https://slack.com/api/"
# The bot scopes crisisbot calls; manifest.yaml and the OAuth flow ask for the same.
BOT_SCOPES = (
    "app_mentions:read", "channels:manage", "channels:read", "chat:write", "chat:write.public", "commands", "files:write",
    "pins:write", "users:read", "users:read.email",
)


class SlackConfigError(Exception):
    """A Slack configuration the server must refuse to start with."""


@dataclass(frozen=True)
class SlackConfig:
    bot_token: str = field(default="", repr=False)
    signing_secret: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    api_url: str = DEFAULT_API_URL
    announce_channel: str = ""
    database_url: str = "sqlite:///crisisbot.db"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SlackConfig:
        def get(name: str) -> str:
            return (env.get(name) or "").strip()

        api_url = get("SLACK_API_URL") or DEFAULT_API_URL
        # slack_sdk joins the method name to the base URL, so it must end with a slash.
        return cls(
            bot_token=get("SLACK_BOT_TOKEN"),
            signing_secret=get("SLACK_SIGNING_SECRET"),
            app_token=get("SLACK_APP_TOKEN"),
            client_id=get("SLACK_CLIENT_ID"),
            client_secret=get("SLACK_CLIENT_SECRET"),
            api_url=api_url if api_url.endswith("/") else api_url + "/",
            announce_channel=get("CRISISBOT_ANNOUNCE_CHANNEL").lstrip("#"),
            database_url=get("DATABASE_URL") or "sqlite:///crisisbot.db",
        )

    @property
    def oauth(self) -> bool:
        return bool(self.client_id and self.client_secret)

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    def off_reason(self) -> str | None:
        """Why the door stays closed, or None when it can open. Raises for a configuration that is wrong, not absent."""
        if not (self.bot_token or self.oauth):
            if self.app_token or self.signing_secret:
                raise SlackConfigError(
                    "SLACK_APP_TOKEN or SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is not: "
                    "set SLACK_BOT_TOKEN (Slack app > OAuth & Permissions > Bot User OAuth Token)."
                )
            return "no SLACK_BOT_TOKEN (nor SLACK_CLIENT_ID/SLACK_CLIENT_SECRET) is set"
        if self.socket_mode and not self.app_token.startswith("xapp-"):
            raise SlackConfigError(
                "SLACK_APP_TOKEN must be an app-level token starting with xapp- (Slack app > Basic Information)."
            )
        if not self.socket_mode and not self.signing_secret:
            # Without it every request would be refused or, worse, accepted unverified.
            raise SlackConfigError(
                "SLACK_SIGNING_SECRET is missing while Slack credentials are set: copy it from the Slack app's "
                "Basic Information > App Credentials, or set SLACK_APP_TOKEN to use Socket Mode."
            )
        if self.oauth and self.socket_mode:
            raise SlackConfigError(
                "Socket Mode (SLACK_APP_TOKEN) cannot be combined with the OAuth install flow (SLACK_CLIENT_ID)."
            )
        return None

    def describe(self) -> str:
        mode = "Socket Mode" if self.socket_mode else "HTTP on POST /slack/events"
        workspaces = "multi-workspace OAuth (/slack/install)" if self.oauth else "single workspace"
        return f"{mode}, {workspaces}, Web API {self.api_url}"
