"""The Bolt app: each listener acknowledges at once, turns the payload into a command, and leaves the rest for later.

Nothing here decides anything about a crisis: the core answers, `Delivery` carries the answer back.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.web.async_client import AsyncWebClient

from adapters.inbound import asked_of_bot
from adapters.recent import RecentIds
from adapters.runtime import DEFAULT_DATABASE_URL, Runtime
from adapters.slack import blocks, inbound, modals
from adapters.slack.answers import PLATFORM, Answers, bare_origin
from adapters.slack.client import web_client
from adapters.slack.config import SlackConfig
from adapters.slack.delivery import Asker, Delivery
from adapters.slack.gateway import SlackGateway
from adapters.slack.markup import from_slack
from adapters.slack.places import remember_in
from adapters.slack.work import BackgroundWork
from adapters.slack.workspaces import ConversationWorkspaces, InstalledWorkspaces, Workspace, heard_of
from bot import commands as c
from bot.backlog import Backlog
from bot.grammar import parse
from bot.i18n import Translator
from bot.ports import AcceptedRequest
from bot.recovery import Recovery
from storage.people import SqlEmailLookups

log = logging.getLogger("crisisbot.slack")

_LEADING_MENTION = re.compile(r"^\s*<@[A-Z0-9]+(?:\|[^>]*)?>[\s:,]*")


def addressed(text: str, bot: str | None) -> str:
    """What a message mentioning the bot asks it (`asked_of_bot`). Without the bot's id, a leading mention is taken
    for it."""
    found = re.search(rf"<@{re.escape(bot)}(?:\|[^>]*)?>", text) if bot else None
    if found is None:
        return _LEADING_MENTION.sub("", text)
    return asked_of_bot(text[:found.start()], text[found.end():])


def _bot_in(body: dict[str, Any]) -> str | None:
    """The bot's user id as the event says it (`authorizations`; the older `authed_users` may name people too)."""
    for authorization in body.get("authorizations") or ():
        if isinstance(authorization, dict) and authorization.get("is_bot") and authorization.get("user_id"):
            return str(authorization["user_id"])
    return None
# Slack gives up on a request after 3 s: wait this long for the database before acknowledging anyway.
ACCEPT_WITHIN = 2.0
# A form's trigger expires 3 s after the request: wait this long for Slack to tell the person's language.
LANGUAGE_WITHIN = 1.0


@dataclass(frozen=True)
class Taken:
    """A request acknowledged and waiting for its turn: `accepting` is its write to the inbox."""

    accepting: asyncio.Future[bool]
    command: c.Command
    asker: Asker
    request_id: str
    client: AsyncWebClient


async def _no_ack(**_: Any) -> None:
    """Events are acknowledged by Bolt itself, once the listener middleware let them through."""


class _ClientCarriesTheToken(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and, given a client too, warns at every start that the token goes unused:
    our client carries that very token, so the warning would only send an operator looking for a fault."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


BOLT_LOG = logging.getLogger("crisisbot.slack.bolt")
BOLT_LOG.addFilter(_ClientCarriesTheToken())


class SlackDoor:
    def __init__(self, runtime: Runtime, config: SlackConfig, oauth_settings: AsyncOAuthSettings | None = None,
                 conversations: ConversationWorkspaces | None = None) -> None:
        self.runtime = runtime
        self.config = config
        self.client = web_client(config.api_url, config.bot_token or None)
        workspaces = None
        if oauth_settings is not None and oauth_settings.installation_store is not None:
            workspaces = InstalledWorkspaces(self.client, oauth_settings.installation_store, conversations)
        self.gateway = SlackGateway(self.client, runtime.settings.language, config.announce_channel, workspaces)
        self.gateway.places.remember = remember_in(runtime)
        # E-mail addresses (one person across platforms) kept in the project's database, per workspace.
        self.gateway.people.lookups = SqlEmailLookups.from_url(runtime.env.get("DATABASE_URL", DEFAULT_DATABASE_URL))
        self.work: BackgroundWork[Taken] = BackgroundWork(self.run_taken)
        self.answers = Answers(runtime, self.gateway)
        self.answers.acknowledgements_coming = lambda: self.work.acknowledgements_coming()
        self.recovery = Recovery(runtime.service, PLATFORM, self.run_recovered)
        self.backlog = Backlog(self.recovery, lambda: self.work.emptied())
        self.seen = RecentIds()
        self.accept_within = ACCEPT_WITHIN
        self.language_within = LANGUAGE_WITHIN
        self.bolt = AsyncApp(
            name="crisisbot",
            client=self.client,
            # The HTTP route verifies signatures itself (one place, with a clear 401); Socket Mode needs none.
            signing_secret=config.signing_secret or "-",
            request_verification_enabled=False,
            oauth_settings=oauth_settings,
            logger=BOLT_LOG,
        )
        if workspaces is not None:
            self.bolt.use(self.learn_workspace)
        self.bolt.command(inbound.COMMAND)(self.on_command)
        self.bolt.action(inbound.ACTION)(self.on_action)
        self.bolt.view(inbound.VIEW)(self.on_view)
        self.bolt.event("app_mention", middleware=[self.take_mention])(self.on_mention)
        self.bolt.shortcut(inbound.SIGNAL_SHORTCUT)(self.on_signal_shortcut)

    async def learn_workspace(self, context: AsyncBoltContext, body: dict[str, Any],
                              next: Callable[[], Awaitable[Any]]) -> None:
        """Remembers the workspace of every conversation and person a request names: broadcasts, reminders and
        direct messages to them later need that workspace's bot token (multi-workspace installs only)."""
        workspace = Workspace(context.enterprise_id, context.team_id, bool(context.is_enterprise_install))
        try:
            await self.gateway.workspaces.learn(workspace, heard_of(body, context.channel_id, context.user_id))
        except Exception:  # the request still runs; only later outbound calls may lack a token
            log.exception("could not remember which workspace a Slack request came from")
        await next()

    # Listeners: acknowledge, translate, hand over.

    async def on_command(self, ack: Callable[..., Awaitable[Any]], command: dict[str, Any], client: AsyncWebClient) -> None:
        request_id = f"slack:command:{command.get('trigger_id')}"
        asker = Asker(command["user_id"], command["channel_id"], command.get("response_url"))
        self.gateway.places.learn(asker.channel, command.get("channel_name"))
        text = from_slack(command.get("text") or "")
        # A bare `/crisis` opens a crisis, as does `/crisis open` without a title: the form asks for the rest.
        wanted = parse(text) if text.strip() else c.AskToOpen()
        if isinstance(wanted, c.AskToOpen):
            await ack()
            if self.seen.first(request_id):
                severity = wanted.severity
                self.work.spawn(self.open_modal(client, command["trigger_id"], lambda t: modals.open_incident_view(
                    t, asker.channel, severity), asker), urgent=True)
        else:
            await self.take(ack, wanted, asker, request_id, client)

    async def on_action(self, ack: Callable[..., Awaitable[Any]], body: dict[str, Any], action: dict[str, Any],
                        client: AsyncWebClient) -> None:
        request_id = f"slack:action:{body['user']['id']}:{action.get('action_ts')}"
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id", "")
        asker = Asker(body["user"]["id"], channel, body.get("response_url"), click=True)
        self.gateway.places.learn(channel, (body.get("channel") or {}).get("name"))
        action_id: str = action["action_id"]
        if action_id.startswith(blocks.PICK):
            chosen = action.get("selected_user") or (action.get("selected_option") or {}).get("value")
            if not chosen:
                await ack()
                return
            value = f"<@{chosen}>" if action.get("selected_user") else chosen
            # The menu shows the choice already: if the core refuses it, the card is put back (`Origin.card`).
            asker = replace(asker, card=blocks.card_clicked(str(action.get("block_id") or "")))
            await self.take(ack, parse(f"{blocks.picker_command(action_id)} {value}"), asker, request_id, client)
            return
        command, question = blocks.button_command(action.get("value", ""))
        if question:
            await ack()
            if self.seen.first(request_id):
                label = from_slack((action.get("text") or {}).get("text", ""))
                self.work.spawn(self.open_modal(client, body["trigger_id"], lambda t: modals.ask_view(
                    t, label, question, command, asker.channel), asker), urgent=True)
        else:
            await self.take(ack, parse(command), asker, request_id, client)

    async def on_view(self, ack: Callable[..., Awaitable[Any]], body: dict[str, Any], view: dict[str, Any],
                      client: AsyncWebClient) -> None:
        submission = modals.read_submission(view)
        if isinstance(submission.command, c.OpenIncident) and not submission.command.title:
            t = self.answers.translator_for(body["user"]["id"])
            await ack(response_action="errors", errors={modals.TITLE: t("A crisis needs a title.")})
            return
        request_id = f"slack:view:{view.get('id')}"
        asker = Asker(body["user"]["id"], submission.channel, click=True)
        await self.take(ack, submission.command or parse(submission.text), asker, request_id, client)

    async def on_signal_shortcut(self, ack: Callable[..., Awaitable[Any]], body: dict[str, Any],
                                 client: AsyncWebClient) -> None:
        """"Report as crisis signal" on a message: that message's text and link become a signal from the clicker."""
        user, channel = body["user"]["id"], body["channel"]["id"]
        message = body.get("message") or {}
        url = permalink(body.get("team") or {}, channel, str(message.get("ts", "")))
        text = from_slack(str(message.get("text") or "")).strip() or url
        asker = Asker(user, channel, body.get("response_url"), click=True)
        request_id = f"slack:shortcut:{user}:{body.get('action_ts') or message.get('ts')}"
        await self.take(ack, c.ReportSignal(text=text, url=url), asker, request_id, client)

    async def take_mention(self, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient,
                           next: Callable[[], Awaitable[Any]]) -> None:
        """Listener middleware: runs before Bolt's automatic acknowledgement of the event, so the request is
        written down first, like every other request."""
        if event.get("user"):
            asker = Asker(event["user"], event["channel"])
            bot = _bot_in(body) or self.gateway.known_bot_user(client)
            text = addressed(from_slack(event.get("text") or ""), bot)
            await self.take(_no_ack, parse(text), asker, f"slack:event:{body.get('event_id')}", client)
        await next()

    async def on_mention(self) -> None:
        """The work is taken by `take_mention`; Bolt acknowledges the event after this returns."""

    # Accepting: written down, then acknowledged, then run.

    async def take(self, ack: Callable[..., Awaitable[Any]], command: c.Command, asker: Asker, request_id: str,
                   client: AsyncWebClient) -> None:
        """Writes the request down, acknowledges it, and runs it after the acknowledgement.

        Written before the ack, so a crash after it loses nothing (the recovery sweep finds it). Slack waits 3 s
        at most, so a slow database gets the ack first and the request runs as soon as it is written.
        """
        if not self.seen.first(request_id):
            await ack()
            return
        origin = bare_origin(asker, request_id)
        # Behind a backlog, or with the queue full, a request joins the backlog: it runs after those before it.
        queued = not self.backlog.active and self.work.reserve()
        accepting = self.runtime.service.accepting(command, origin, asker.to_json(), held=queued)
        if queued:
            # Held (its lease renewed) from now until it ran, however long it waits for its turn.
            self.recovery.hold(request_id)
        else:
            self.join_backlog(accepting, asker, client)
        try:
            await asyncio.wait({accepting}, timeout=self.accept_within)
            await ack()
        finally:
            # Queued even if the acknowledgement failed or was cancelled: its place is taken, it is written down
            # and held, so only running it lets it go (a retry from Slack then meets its request id).
            if queued:
                self.work.put(Taken(accepting, command, asker, request_id, client))

    def join_backlog(self, accepting: asyncio.Future[bool], asker: Asker, client: AsyncWebClient) -> None:
        """The request waits in the inbox, free for the first claim, and nothing of it is kept in memory."""
        if self.work.refused % 1000 == 1:  # once a burst, not once a request
            log.warning("the work queue is full: requests wait in the inbox (%d so far)", self.work.refused)

        def written(accepting: asyncio.Future[bool]) -> None:
            if not accepting.cancelled() and accepting.exception() is not None:
                # Acknowledged but never written down: nothing will run it, so the person is told to try again.
                log.error("a Slack request could not be written down", exc_info=accepting.exception())
                self.work.spawn(self.tell_not_recorded(asker, client))

        accepting.add_done_callback(written)
        self.backlog.add(accepting)

    async def tell_not_recorded(self, asker: Asker, client: AsyncWebClient) -> None:
        t = self.answers.translator_for(asker.user)
        await Delivery(client, self.gateway.people, t).ephemeral(
            asker, t("I could not record this request, so nothing was done; please try again.")
        )

    async def run_taken(self, batch: list[Taken]) -> None:
        """Requests acknowledged a moment ago, in arrival order, run and answered together (`run_and_answer`).
        Each is released once it ran."""
        fresh: list[Taken] = []
        for taken in batch:
            try:
                if await taken.accepting:
                    fresh.append(taken)
                else:  # a retried delivery, already accepted (and run, or running) once
                    self.recovery.release(taken.request_id)
            except Exception:
                self.recovery.release(taken.request_id)
                log.exception("a Slack request could not be written down")
                await self.tell_not_recorded(taken.asker, taken.client)
        try:
            await self.answers.run_and_answer([(t.command, t.asker, bare_origin(t.asker, t.request_id), t.client)
                                       for t in fresh])
        finally:
            for taken in fresh:
                self.recovery.release(taken.request_id)

    async def recover(self, starting: bool = False) -> int:
        """Runs the requests acknowledged but never answered that no live process holds (see `bot.recovery`)."""
        return await self.recovery.recover(starting)

    async def run_recovered(self, requests: Sequence[AcceptedRequest]) -> None:
        """A batch through the core in one go, then the answers; none waits for a turn behind new requests."""
        askers = [Asker(r.origin.person, r.origin.conversation) for r in requests]
        for n, request in enumerate(requests):
            try:
                askers[n] = Asker.from_json(request.reply_to)
            except (ValueError, KeyError, TypeError):
                log.error("request %s has no readable reply address: it runs, answered privately in its conversation",
                          request.request_id)
        # Each person looked up once (then cached), not once per request; a lookup that fails costs only names.
        await asyncio.gather(*(self.gateway.people.profile(u) for u in {a.user for a in askers}), return_exceptions=True)
        await self.answers.run_and_answer([(r.command, a, r.origin, None) for r, a in zip(requests, askers, strict=True)])

    async def open_modal(self, client: AsyncWebClient, trigger_id: str, view: Callable[[Translator], dict[str, Any]],
                         asker: Asker) -> None:
        """Opens the form `view` builds, in the asker's language: Slack is asked for it first (a person's first
        request comes before anything is known of them), for at most `language_within`, as the trigger expires."""
        t = await self.answers.translator_asking(asker.user, self.language_within)
        try:
            await client.views_open(trigger_id=trigger_id, view=view(t))
        except Exception:
            log.exception("views.open failed")
            await Delivery(client, self.gateway.people, t).ephemeral(
                asker, t("I could not open the form; type the command instead, e.g. `/crisis open <title> --sev 2`.")
            )


def permalink(team: dict[str, Any], channel: str, ts: str) -> str:
    """The message's link as Slack writes it, built from the payload: no Web API call before the 3 s ack.
    (Enterprise Grid workspaces answer the same path on their own domain.)"""
    domain = str(team.get("domain") or "app")
    return f"https://{domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}" if ts else ""
