"""The Bolt app: each listener acknowledges at once, turns the payload into a command, and leaves the rest for later.

Nothing here decides anything about a crisis: the core answers, `Delivery` carries the answer back.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.web.async_client import AsyncWebClient

from adapters.runtime import Runtime
from adapters.slack import blocks, modals
from adapters.slack.client import web_client
from adapters.slack.config import SlackConfig
from adapters.slack.delivery import Asker, Delivery
from adapters.slack.gateway import SlackGateway
from adapters.slack.work import BackgroundWork, RecentDeliveries
from adapters.slack.workspaces import InstalledWorkspaces
from bot import commands as c
from bot.i18n import translator
from bot.replies import Reply

log = logging.getLogger("crisisbot.slack")

PLATFORM = "slack"
# `/crisis`, `/crisis open`, `/crisis ouvrir`: no title yet, so ask for everything in a modal.
_BARE_OPEN = re.compile(r"^\s*(?:(?:open|ouvrir)\s*(?:(?:--sev|--severity)(?:=|\s+)([1-4]))?)?\s*$", re.I)
_LEADING_MENTION = re.compile(r"^\s*<@[A-Z0-9]+(?:\|[^>]*)?>[\s:,]*")


class SlackDoor:
    def __init__(self, runtime: Runtime, config: SlackConfig, oauth_settings: AsyncOAuthSettings | None = None) -> None:
        self.runtime = runtime
        self.config = config
        self.t = translator(runtime.settings.language)
        self.client = web_client(config.api_url, config.bot_token or None)
        workspaces = None
        if oauth_settings is not None and oauth_settings.installation_store is not None:
            workspaces = InstalledWorkspaces(self.client, oauth_settings.installation_store)
        self.gateway = SlackGateway(self.client, runtime.settings.language, config.announce_channel, workspaces)
        self.work = BackgroundWork()
        self.seen = RecentDeliveries()
        self.bolt = AsyncApp(
            name="crisisbot",
            client=self.client,
            # The HTTP route verifies signatures itself (one place, with a clear 401); Socket Mode needs none.
            signing_secret=config.signing_secret or "-",
            request_verification_enabled=False,
            oauth_settings=oauth_settings,
            logger=logging.getLogger("crisisbot.slack.bolt"),
        )
        self.bolt.command(re.compile(r"^/crisis"))(self.on_command)
        self.bolt.action(re.compile(r"^crisis\.(run|ask|pick)\."))(self.on_action)
        self.bolt.view(re.compile(r"^crisis\.(open|ask)$"))(self.on_view)
        self.bolt.event("app_mention")(self.on_mention)

    # Listeners: acknowledge, translate, hand over.

    async def on_command(self, ack: Callable[..., Awaitable[Any]], command: dict[str, Any], client: AsyncWebClient,
                         context: AsyncBoltContext) -> None:
        await ack()
        request_id = f"slack:command:{command.get('trigger_id')}"
        if not self.seen.first(request_id):
            return
        asker = Asker(command["user_id"], command["channel_id"], command.get("response_url"))
        text = command.get("text") or ""
        bare_open = _BARE_OPEN.match(text)
        if bare_open:
            severity = int(bare_open.group(1) or 3)
            view = modals.open_incident_view(self.t, asker.channel, severity)
            self.work.spawn(self.open_modal(client, command["trigger_id"], view, asker), urgent=True)
        else:
            self.work.spawn(self.run(text, asker, request_id, client, context))

    async def on_action(self, ack: Callable[..., Awaitable[Any]], body: dict[str, Any], action: dict[str, Any],
                        client: AsyncWebClient,
                        context: AsyncBoltContext) -> None:
        await ack()
        request_id = f"slack:action:{body['user']['id']}:{action.get('action_ts')}"
        if not self.seen.first(request_id):
            return
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id", "")
        asker = Asker(body["user"]["id"], channel, body.get("response_url"))
        action_id: str = action["action_id"]
        if action_id.startswith(blocks.PICK):
            chosen = action.get("selected_user") or (action.get("selected_option") or {}).get("value")
            if not chosen:
                return
            value = f"<@{chosen}>" if action.get("selected_user") else chosen
            self.work.spawn(self.run(f"{blocks.picker_command(action_id)} {value}", asker, request_id, client, context))
            return
        command, question = blocks.button_command(action.get("value", ""))
        if question:
            label = (action.get("text") or {}).get("text", "")
            view = modals.ask_view(self.t, label, question, command, asker.channel)
            self.work.spawn(self.open_modal(client, body["trigger_id"], view, asker), urgent=True)
        else:
            self.work.spawn(self.run(command, asker, request_id, client, context))

    async def on_view(self, ack: Callable[..., Awaitable[Any]], body: dict[str, Any], view: dict[str, Any],
                      client: AsyncWebClient,
                        context: AsyncBoltContext) -> None:
        submission = modals.read_submission(view)
        if isinstance(submission.command, c.OpenIncident) and not submission.command.title:
            await ack(response_action="errors", errors={modals.TITLE: self.t("A crisis needs a title.")})
            return
        await ack()
        request_id = f"slack:view:{view.get('id')}"
        if not self.seen.first(request_id):
            return
        asker = Asker(body["user"]["id"], submission.channel)
        self.work.spawn(self.run(submission.command or submission.text, asker, request_id, client, context))

    async def on_mention(self, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient,
                         context: AsyncBoltContext) -> None:
        # Events are acknowledged by Bolt before this runs.
        request_id = f"slack:event:{body.get('event_id')}"
        if not self.seen.first(request_id) or not event.get("user"):
            return
        asker = Asker(event["user"], event["channel"])
        self.work.spawn(self.run(_LEADING_MENTION.sub("", event.get("text") or ""), asker, request_id, client, context))

    # The work after the acknowledgement.

    async def run(self, command: str | c.Command, asker: Asker, request_id: str, client: AsyncWebClient,
                        context: AsyncBoltContext) -> None:
        delivery = Delivery(client, self.gateway.people, self.t)
        try:
            origin = c.Origin(asker.user, PLATFORM, asker.channel, None, request_id)
            service = self.runtime.service
            reply = await (service.execute(command, origin) if isinstance(command, str) else service.handle(command, origin))
            await delivery.deliver(self.with_room(reply), asker)
        except Exception:
            log.exception("a Slack request failed after its acknowledgement")
            await delivery.ephemeral(asker, self.t("Something went wrong on our side; please try again."))

    def with_room(self, reply: Reply) -> Reply:
        """An opening's reply, completed with where the crisis now lives, or why it stays here."""
        room = self.gateway.rooms.pop(reply.incident, None) if reply.incident else None
        if room is None:
            return reply
        if room.channel:
            note = self.t("Crisis channel: <#{channel}>", channel=room.channel)
        else:
            note = self.t("I could not create a channel for it ({reason}), so it lives in this conversation.",
                          reason=room.problem)
        return Reply(text=f"{reply.text}\n{note}".strip(), cards=reply.cards, private=reply.private,
                     incident=reply.incident, mentions=reply.mentions)

    async def open_modal(self, client: AsyncWebClient, trigger_id: str, view: dict[str, Any], asker: Asker) -> None:
        try:
            await client.views_open(trigger_id=trigger_id, view=view)
        except Exception:
            log.exception("views.open failed")
            await Delivery(client, self.gateway.people, self.t).ephemeral(
                asker, self.t("I could not open the form; type the command instead, e.g. `/crisis open <title> --sev 2`.")
            )
