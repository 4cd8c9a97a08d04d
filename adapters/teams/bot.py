"""Teams activities in, commands out: messages, card clicks (invoke or submitted form) and the bot joining.

People are named by their Entra (AAD) object id, which is stable across Teams, Graph and the people picker;
the Teams user id (`29:...`) only serves as a fallback where no object id is given (emulators, test tools).
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable
from dataclasses import replace
from http import HTTPStatus
from typing import Any, cast

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
)

from adapters.inbound import asked_of_bot
from adapters.recent import RecentIds
from adapters.runtime import Runtime
from adapters.teams.cards import (
    ADAPTIVE_CARD,
    INPUT_KEY,
    VERB,
    click_command,
    clicked_card,
    missing_input,
    picked_on,
    picked_person,
)
from adapters.teams.gateway import TeamsGateway, addresses
from adapters.teams.inbound import MESSAGE_ACTION
from adapters.teams.markup import PERSON, plain
from adapters.teams.messages import card_content, names_of
from adapters.teams.places import place_name
from adapters.teams.references import Directory, TeamsPerson
from bot.commands import Help, Origin, ReportSignal
from bot.grammar import parse
from bot.i18n import LANGUAGES, Translator, translator
from bot.plain_text import inert
from bot.replies import Card, Reply

log = logging.getLogger(__name__)

PLATFORM = "teams"
# The message action's command id in the app package (`composeExtensions`).
SIGNAL_COMMAND = "reportSignal"
MESSAGE_RESPONSE = "application/vnd.microsoft.activity.message"
_TAG = re.compile(r"<(?!@)[^>]*>")
# A real mention while the text around it is read: a private-use character nobody's text keeps (it is removed first).
_MARK = "\ue000"
_BOT = "\ue001"  # where the bot's own mention stood, likewise
_MARKED = re.compile(f"{_MARK}(\\d+){_MARK}")
# Where Teams' HTML ends a line or a paragraph (with the line break that may follow the tag in its source).
_LINE_END = re.compile(r"<br\s*/?>|</(?:p|div)>[ \t]*(?:\r?\n)?", re.I)


def person_id(account: ChannelAccount) -> str:
    return cast(str, account.aad_object_id or account.id)


# botbuilder ships no type information, so its base class is Any to mypy.
class CrisisTeamsBot(TeamsActivityHandler):  # type: ignore[misc]
    def __init__(self, runtime: Runtime, gateway: TeamsGateway, directory: Directory) -> None:
        self.runtime = runtime
        self.gateway = gateway
        self.directory = directory
        # Teams redelivers when an answer is slow.
        self.recent = RecentIds(2048)

    # -- every turn ------------------------------------------------------------------------------

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if activity.type in ("message", "invoke") and not self.recent.first(activity.id):
            log.info("activity %s delivered again; already handled", activity.id)
            if activity.type == "invoke":
                await self._answer_invoke(turn_context, _message_response(""))
            return
        await self._remember_where(activity)
        await super().on_turn(turn_context)

    async def _remember_where(self, activity: Activity) -> None:
        if activity.conversation is None or not activity.service_url:
            return
        reference = TurnContext.get_conversation_reference(activity)
        reference.activity_id = None  # the address of the conversation, not of this message
        # Teams writes `tenantId` where the SDK reads `tenantID`: kept, or a 1:1 chat opened later has no tenant.
        reference.conversation.tenant_id = reference.conversation.tenant_id or _tenant(activity)
        await self.directory.save_conversation(activity.conversation.id, reference.serialize())
        speaker = activity.from_property
        if speaker is not None and speaker.id and activity.type in ("message", "invoke"):
            personal = activity.conversation.id if activity.conversation.conversation_type == "personal" else None
            await self.directory.save_person(
                TeamsPerson(person_id(speaker), speaker.id, speaker.name or "", personal, activity.conversation.id))
            # Once per person (then kept in SQL): the address makes them one person across platforms
            # (`bot.identities`) and finds CRISISBOT_NOTIFY's people.
            await self.gateway.learn_email(reference, speaker.id, person_id(speaker))

    def _origin(self, activity: Activity) -> Origin:
        locale = (activity.locale or "")[:2].lower()
        language = locale if locale in LANGUAGES else None
        # The conversation is named among the names, by its id: a timeline fact then says where, not an id.
        place = (activity.conversation.id, place_name(activity, self._t(language)))
        return Origin(
            person=person_id(activity.from_property), platform=PLATFORM, conversation=activity.conversation.id,
            language=language, request_id=activity.id or None,
            names=(*_names(activity), place), timezone=activity.local_timezone or None,
        )

    def _t(self, language: str | None) -> Translator:
        return translator(language or self.runtime.settings.language)

    # -- messages and submitted forms --------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        origin = self._origin(activity)
        if isinstance(activity.value, dict) and click_command(activity.value) is not None:
            await self._submitted(activity, origin)
            return
        text, mentioned = await self._command_text(activity)
        origin = replace(origin, names=tuple({**dict(origin.names), **mentioned}.items()))
        origin = await self._with_emails(origin, mentioned)
        reply = await self.runtime.service.handle(parse(text), origin)
        if reply.personal and activity.conversation.conversation_type != "personal":
            await self._answer_in_personal_chat(activity, reply, origin)
            return
        await self.gateway.send(activity.conversation.id, reply, reply_to=activity.id, language=origin.language)

    async def _answer_in_personal_chat(self, activity: Activity, reply: Reply, origin: Origin) -> None:
        """A typed message has no answer for one person's eyes inside a channel or group chat: what is theirs alone
        (a personal dashboard link) goes to their 1:1 chat with the bot, and the thread hears only where it went."""
        await self.gateway.notify(origin.person, reply)
        t = self._t(origin.language)
        note = t("I sent you the answer in your personal chat with crisisbot.")
        await self.gateway.send(activity.conversation.id, Reply(text=note, private=True), reply_to=activity.id,
                                language=origin.language)

    async def _submitted(self, activity: Activity, origin: Origin) -> None:
        """The `Action.Submit` fallback: the same command as the invoke, answered in the thread (no private answer
        exists for it), the clicked card updated in place."""
        data, reply = await self._click(activity, activity.value, origin)
        if reply.private:
            await self.gateway.send(activity.conversation.id, Reply(text=_private_text(reply)),
                                    reply_to=activity.reply_to_id, language=origin.language)
            return
        await self._after_click(activity, data, reply, origin)

    async def _click(self, activity: Activity, data: dict[str, Any], origin: Origin) -> tuple[dict[str, Any], Reply]:
        """What a click on one of our cards does, whichever way it came (invoke or submitted form): the data as
        run (a picked person named by the id they act by) and the core's reply."""
        if missing_input(data):
            t = self._t(origin.language)
            return data, Reply(text=t("Please choose or write something first."), private=True)
        data, origin = await self._named_pick(activity, data, origin)
        picked = picked_person(data)
        origin = await self._with_emails(replace(origin, card=picked_on(data)), [picked] if picked else [])
        return data, await self.runtime.service.handle(parse(click_command(data) or ""), origin)

    async def _with_emails(self, origin: Origin, people: Iterable[str]) -> Origin:
        """The e-mail addresses known of the speaker and the people named: one person across platforms."""
        found = await self.directory.emails_of({origin.person, *people})
        return replace(origin, emails=tuple(sorted(found.items())))

    async def _after_click(self, activity: Activity, data: dict[str, Any], reply: Reply, origin: Origin) -> Card | None:
        """A click that changed something: the clicked message shows the new card to everyone, and the change is
        said once in the thread. Returns the clicked card as it is now, if the change touched it."""
        conversation, message_id = activity.conversation.id, activity.reply_to_id
        card_id = clicked_card(data)
        clicked = next((card for card in reply.refreshed if card.id == card_id), None)
        if clicked is not None and message_id:
            try:
                await self.gateway.update(conversation, message_id, clicked)
            except Exception:  # the change is stored; the next refresh tries again
                log.exception("could not update the clicked message %s", message_id)
        if reply.text:
            await self.gateway.send(conversation, Reply(text=reply.text, mentions=reply.mentions),
                                    reply_to=message_id, language=origin.language)
        return clicked

    async def _named_pick(
        self, activity: Activity, data: dict[str, Any], origin: Origin
    ) -> tuple[dict[str, Any], Origin]:
        """A people picker answers an id the bot may never have met (Teams: an Entra object id; some clients: a
        Teams id): looked up like a mention, so the card names the person and the role goes to the id they act by."""
        picked = picked_person(data)
        if picked is None:
            return data, origin
        known = await self.directory.person(picked)
        person = known.person_id if known is not None else await self._person_of(activity, {"id": picked})
        found = known or await self.directory.person(person)
        names = {**dict(origin.names), **({person: found.name} if found is not None and found.name else {})}
        return {**data, data[INPUT_KEY]: person}, replace(origin, names=tuple(names.items()))

    async def _command_text(self, activity: Activity) -> tuple[str, dict[str, str]]:
        """The text without the bot's @mention; other people's mentions become `<@id>` as the grammar expects.

        Also the names of the people mentioned, by the id the core knows them by."""
        text = (activity.text or "").replace(_MARK, "").replace(_BOT, "")
        names: dict[str, str] = {}
        people: list[str] = []  # the real mentions, each standing as a mark until the typed text is made inert
        for entity in activity.entities or []:
            if (entity.type or "").lower() != "mention":
                continue
            mentioned = (entity.additional_properties or {}).get("mentioned") or {}
            written = (entity.additional_properties or {}).get("text") or f"<at>{mentioned.get('name', '')}</at>"
            if mentioned.get("id") == activity.recipient.id:
                text = text.replace(written, f" {_BOT} ")
            elif mentioned.get("id"):
                person = await self._person_of(activity, mentioned)
                if mentioned.get("name"):
                    names[person] = str(mentioned["name"])
                text = text.replace(written, f" {_MARK}{len(people)}{_MARK} ")
                people.append(person)
        text = html.unescape(_TAG.sub(" ", _LINE_END.sub("\n", text))).replace("\xa0", " ")
        # A typed `<@U…>` or `<#C…>` would be a mention or a channel link wherever the crisis is followed on Slack.
        text = _MARKED.sub(lambda m: f"<@{people[int(m.group(1))]}>", inert(text))
        before, _, after = text.partition(_BOT)
        text = asked_of_bot(before, after).replace(_BOT, " ")
        return "\n".join(" ".join(line.split()) for line in text.strip().splitlines()).strip(), names

    async def _person_of(self, activity: Activity, mentioned: dict[str, Any]) -> str:
        teams_id = str(mentioned["id"])
        if mentioned.get("aadObjectId"):
            found = TeamsPerson(str(mentioned["aadObjectId"]), teams_id, str(mentioned.get("name") or ""))
            await self.directory.save_person(found)
            return found.person_id
        known = await self.directory.by_teams_id(teams_id)
        if known is not None:
            return known.person_id
        try:
            reference = TurnContext.get_conversation_reference(activity)
            member = await self.gateway.connector.member(reference, teams_id)
        except Exception:  # an unknown member stays usable under their Teams id
            log.warning("could not look up Teams member %s", teams_id, exc_info=True)
            return teams_id
        found = TeamsPerson(person_id(member), teams_id, member.name or str(mentioned.get("name") or ""))
        await self.directory.save_person(found)
        await self.directory.save_emails(found.person_id, addresses(member))
        return found.person_id

    # -- card clicks (Universal Actions) -----------------------------------------------------------

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        # The SDK's own path wraps the answer in AdaptiveCardInvokeResponse, whose serializer refuses a text
        # value (the message answer); the answer is built here as the plain JSON Teams expects.
        if turn_context.activity.name == "adaptiveCard/action":
            return InvokeResponse(status=HTTPStatus.OK, body=await self._card_action(turn_context))
        if turn_context.activity.name == MESSAGE_ACTION:
            return InvokeResponse(status=HTTPStatus.OK, body=await self._report_signal(turn_context))
        return await super().on_invoke_activity(turn_context)

    async def _report_signal(self, turn_context: TurnContext) -> dict[str, Any]:
        """"Report as crisis signal" on a message: its text and link become a signal from the clicker; the dialog
        Teams opens shows the answer."""
        activity = turn_context.activity
        origin = self._origin(activity)
        value = activity.value if isinstance(activity.value, dict) else {}
        message = value.get("messagePayload") or {}
        if value.get("commandId") != SIGNAL_COMMAND or not isinstance(message, dict):
            t = self._t(origin.language)
            text = t("This action is not one of crisisbot's; nothing was done.")
            return {"task": {"type": "message", "value": text}}
        body = message.get("body") or {}
        content = str(body.get("content") or "") if isinstance(body, dict) else ""
        url = str(message.get("linkToMessage") or "")
        text = " ".join(html.unescape(_TAG.sub(" ", content)).replace("\xa0", " ").split()) or url
        reply = await self.runtime.service.handle(ReportSignal(text=text, url=url), origin)
        return {"task": {"type": "message", "value": _private_text(reply) if reply.private else reply.text}}

    async def _card_action(self, turn_context: TurnContext) -> dict[str, Any]:
        activity = turn_context.activity
        origin = self._origin(activity)
        t = self._t(origin.language)
        action = activity.value.get("action") if isinstance(activity.value, dict) else None
        data = action.get("data") if isinstance(action, dict) and action.get("verb") == VERB else None
        if not isinstance(data, dict) or click_command(data) is None:
            return _message_response(t("This card is not one of crisisbot's; nothing was done."))
        data, reply = await self._click(activity, data, origin)
        if reply.private:
            # A refusal or a usage error: for the clicker's eyes only, and the card stays as it was.
            return await self._answer_text(_private_text(reply))
        clicked = await self._after_click(activity, data, reply, origin)
        if clicked is None:
            # The change left the clicked card as it was (a draft written from the incident card): an empty answer
            # shows the clicker a blank banner, so it says what happened, as the thread does for everyone.
            return await self._answer_text(reply.text)
        # The clicker sees the new card at once; everyone else through the update of the message.
        content = await card_content(clicked, t, self.directory, activity.conversation.id)
        return {"statusCode": 200, "type": ADAPTIVE_CARD, "value": content}

    async def _answer_text(self, text: str) -> dict[str, Any]:
        """A message answer to the clicker, the people it mentions by name (Teams shows it as plain text)."""
        names = await names_of(self.directory, set(PERSON.findall(text)))
        return _message_response(plain(text, names))

    async def _answer_invoke(self, turn_context: TurnContext, body: dict[str, Any]) -> None:
        await turn_context.send_activity(
            Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=HTTPStatus.OK, body=body)))

    # -- joining a team or chat --------------------------------------------------------------------

    async def on_teams_members_added_dispatch(self, members_added: list[ChannelAccount], team_info: Any,
                                              turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if not any(member.id == activity.recipient.id for member in members_added):
            return
        origin = self._origin(activity)
        t = self._t(origin.language)
        helped = await self.runtime.service.handle(Help(), Origin(origin.person, PLATFORM, origin.conversation,
                                                                  origin.language))
        intro = t("Hello, I am crisisbot: I coordinate a crisis where it is discussed (incident, roles, "
                  "approved public replies, status updates). Mention me with a command, for example "
                  "`@crisisbot open Wave of complaints about delivery --sev 2`.")
        await self.gateway.send(activity.conversation.id, Reply(text=intro, cards=helped.cards), language=origin.language)


def _names(activity: Activity) -> tuple[tuple[str, str], ...]:
    """The speaker's name, as Teams gives it with the activity (mentioned people are named as their mentions are read)."""
    speaker = activity.from_property
    if speaker is not None and speaker.id and speaker.name:
        return ((person_id(speaker), speaker.name),)
    return ()


def _tenant(activity: Activity) -> str | None:
    extra = getattr(activity.conversation, "additional_properties", None) or {}
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = extra.get("tenantId") or (data.get("tenant") or {}).get("id")
    return str(tenant) if tenant else None


def _private_text(reply: Reply) -> str:
    """A private answer as one text: cards (help) have no place in a click's answer, their title stands for them."""
    return reply.text or "\n".join(card.title for card in reply.cards)


def _message_response(text: str) -> dict[str, Any]:
    """Teams shows this text to the clicker only, and leaves the card as it was."""
    return {"statusCode": 200, "type": MESSAGE_RESPONSE, "value": text}

