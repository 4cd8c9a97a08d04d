"""The HTTP surface: health, signatures, URL verification, retries, rate limits, the modal, mentions."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

import pytest

from adapters.slack.app import addressed
from tests.slack.conftest import BOT_TOKEN, Bot
from tests.slack.slack_requests import SIGNING_SECRET, app_mention, sign, slash_command, url_verification, view_submission
from tests.slack.test_commands import LEAD, crisis


async def test_healthz_names_slack_and_the_database(bot: Bot) -> None:
    async with bot.session.get(f"{bot.url}/healthz") as response:
        body = await response.json()
    assert response.status == 200
    assert "slack" in body["platforms"] and body["database"] == "ok"


FORGED = slash_command("open Forged crisis --sev 1")


@pytest.mark.parametrize(
    ("headers", "problem"),
    [
        # Signed when the test runs, not when it is collected: a long suite would make every signature stale.
        (dict, "missing"),
        (lambda: sign(FORGED, secret="not-the-secret"), "does not match"),
        (lambda: sign("another body"), "does not match"),
        (lambda: sign(FORGED, timestamp=int(time.time()) - 6 * 60), "stale"),
        (lambda: {**sign(FORGED), "X-Slack-Request-Timestamp": "\u00b2"}, "stale"),
        (lambda: {**sign(FORGED), "X-Slack-Request-Timestamp": "9" * 5000}, "stale"),
    ],
    ids=["missing", "wrong-secret", "other-body", "stale", "superscript-timestamp", "huge-timestamp"],
)
async def test_untrusted_requests_get_401_and_change_nothing(bot: Bot, headers: Callable[[], dict[str, str]],
                                                             problem: str) -> None:
    async with bot.session.post(f"{bot.url}/slack/events", data=FORGED,
                                headers={"Content-Type": "application/x-www-form-urlencoded", **headers()}) as response:
        answer = await response.json()
    await bot.door.work.drain()
    assert response.status == 401 and problem in answer["error"]
    assert bot.incident() is None
    assert not bot.slack.calls


async def test_url_verification_answers_the_challenge(bot: Bot) -> None:
    body = url_verification()
    async with bot.session.post(f"{bot.url}/slack/events", data=body,
                                headers={"Content-Type": "application/json", **sign(body)}) as response:
        assert response.status == 200
        assert (await response.json())["challenge"] == json.loads(body)["challenge"]


async def test_retried_slash_command_opens_one_incident(bot: Bot) -> None:
    body = slash_command("open Wave of complaints --sev 2", trigger_id="retry.1")
    await bot.post(body)
    await bot.post(body, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    await bot.door.work.drain()
    assert bot.incident("CRI-1") is not None and bot.incident("CRI-2") is None
    assert len(bot.slack.called("conversations.create")) == 1


async def test_the_core_request_log_absorbs_a_retry_the_process_did_not_see(bot: Bot) -> None:
    body = slash_command("open Wave --sev 2", trigger_id="retry.2")
    await bot.send(body)
    bot.door.seen._seen.clear()  # as if the retry reached another process
    await bot.send(body, headers={"X-Slack-Retry-Num": "1"})
    assert bot.incident("CRI-2") is None


async def test_rate_limited_call_is_retried_after_retry_after(bot: Bot) -> None:
    bot.slack.rate_limit_once("chat.postEphemeral", retry_after=1)
    started = time.monotonic()
    await crisis(bot, "help")
    calls = bot.slack.called("chat.postEphemeral")
    assert len(calls) == 2 and time.monotonic() - started >= 1.0
    assert "open" in calls[-1].params["text"] or calls[-1].params.get("blocks")


async def test_bare_command_opens_the_modal_and_its_submission_opens_the_crisis(bot: Bot) -> None:
    response = await bot.send(slash_command("", trigger_id="modal.1"))
    assert response.status == 200
    opened = bot.slack.called("views.open")[0]
    assert opened.params["trigger_id"] == "modal.1"
    view = opened.params["view"]
    values = {"title": "Refund complaints on social media", "severity": "2", "description": "Hundreds of posts since 9:00",
              "source": "https://social.example/search?q=refund"}
    await bot.send(view_submission(view, values, user=LEAD, view_id="VOPEN1"))
    incident = bot.incident()
    assert incident is not None and incident.title == "Refund complaints on social media" and incident.severity == 2
    assert incident.description == "Hundreds of posts since 9:00" and incident.source_url.startswith("https://social.example")
    assert any(c.id == "C111" for c in incident.conversations)


@pytest.mark.parametrize("text", ["ouvrir --gravite 2", "open --sev 2", "OPEN --severity=2", "ouvrir --gravité 2"])
async def test_open_without_a_title_opens_the_modal_in_any_language(bot: Bot, text: str) -> None:
    await bot.send(slash_command(text, trigger_id="modal.fr"))
    [opened] = bot.slack.called("views.open")
    assert opened.params["view"]["blocks"][1]["element"]["initial_option"]["value"] == "2"
    assert bot.incident() is None and not bot.slack.called("chat.postEphemeral")


async def test_a_mention_without_a_title_is_told_how_to_open_one(bot: Bot) -> None:
    await bot.send(app_mention("<@UBOT> open", user=LEAD, event_id="EvOpen"), content_type="application/json")
    assert not bot.slack.called("views.open") and bot.incident() is None
    [told] = bot.slack.called("chat.postEphemeral")
    assert told.params["user"] == LEAD and told.params["text"] == "Usage: `open &lt;title&gt; [--sev 1-4]`"


async def test_the_opener_is_told_the_crisis_channel_the_core_returned(bot: Bot) -> None:
    await crisis(bot, "open Outage --sev 3")
    room = bot.slack.called("conversations.create")[0].answer["channel"]["id"]
    incident = bot.incident()
    assert incident is not None and room in [c.id for c in incident.conversations]
    said = [c.params["text"] for c in bot.slack.called("chat.postMessage") if c.params["channel"] == "C111"]
    assert sum(f"Crisis channel: <#{room}>" in text for text in said) == 1
    assert not hasattr(bot.door.gateway, "rooms")  # no state left behind for the door to read


async def test_modal_without_title_is_sent_back_with_an_error(bot: Bot) -> None:
    await bot.send(slash_command("open", trigger_id="modal.2"))
    view = bot.slack.called("views.open")[0].params["view"]
    body = view_submission(view, {"title": "", "severity": "3"})
    async with bot.session.post(f"{bot.url}/slack/events", data=body,
                                headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body)}) as response:
        answer = await response.json()
    assert answer["response_action"] == "errors" and "title" in answer["errors"]
    assert bot.incident() is None


async def test_mention_speaks_the_same_grammar(bot: Bot) -> None:
    await crisis(bot, "open Outage --sev 3")
    body = app_mention("<@UBOT> CRI-1 update Fixed upstream", user="W222", event_id="EvM1")
    response = await bot.send(body, content_type="application/json")
    assert response.status == 200
    assert bot.incident().last_update.text == "Fixed upstream"  # type: ignore[union-attr]
    retried = await bot.send(body, content_type="application/json", headers={"X-Slack-Retry-Num": "1"})
    assert retried.status == 200
    assert len([u for u in bot.incident().timeline if type(u.event).__name__ == "StatusUpdatePosted"]) == 1  # type: ignore[union-attr]


async def test_channel_creation_failure_keeps_the_crisis_here_and_says_why(bot: Bot) -> None:
    bot.slack.errors["conversations.create"] = "missing_scope"
    await crisis(bot, "open Outage --sev 3")
    incident = bot.incident()
    assert incident is not None and [c.id for c in incident.conversations] == ["C111"]
    said = [c.params["text"] for c in bot.slack.called("chat.postMessage") if c.params["channel"] == "C111"]
    assert any("channels:manage" in text for text in said)


async def test_taken_channel_name_gets_a_suffix(bot: Bot) -> None:
    bot.slack.taken_names.add("crisis-cri-1-outage")
    await crisis(bot, "open Outage --sev 3")
    names = [c.params["name"] for c in bot.slack.called("conversations.create")]
    assert names == ["crisis-cri-1-outage", "crisis-cri-1-outage-2"]


async def test_secrets_never_reach_the_logs(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await crisis(bot, "open Outage --sev 3")
    body = slash_command("status")
    await bot.post(body, headers=sign(body, secret="wrong"), signed=False)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged and BOT_TOKEN not in logged and SIGNING_SECRET not in logged


@pytest.mark.parametrize("severity", ["\u00b2", "9" * 5000])
async def test_a_modal_severity_that_is_no_number_opens_the_crisis_at_the_default(bot: Bot, severity: str) -> None:
    await bot.send(slash_command("open", trigger_id="modal.3"))
    view = bot.slack.called("views.open")[0].params["view"]
    body = view_submission(view, {"title": "Odd severity", "severity": severity}, user=LEAD)
    async with bot.session.post(f"{bot.url}/slack/events", data=body,
                                headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body)}) as response:
        assert response.status == 200
    await bot.door.work.drain()
    incident = bot.incident()
    assert incident is not None and incident.title == "Odd severity" and incident.severity == 3


@pytest.mark.parametrize(("text", "asked"), [
    ("<@UBOT> CRI-1 status", "CRI-1 status"),
    ("hey <@UBOT>, CRI-1 status", "CRI-1 status"),  # people greet first
    ("CRI-1 assign legal <@ULEGAL> <@UBOT>", "CRI-1 assign legal <@ULEGAL>"),  # or mention it last
    ("<@ULEGAL> knows; <@UBOT|crisisbot> CRI-1 status", "CRI-1 status"),
])
def test_a_mention_asks_what_follows_the_bots_name_or_what_comes_before(text: str, asked: str) -> None:
    assert addressed(text, "UBOT") == asked
    assert addressed("<@UBOT> CRI-1 status", None) == "CRI-1 status"  # its id unknown: a leading mention is it


async def test_a_greeting_before_the_mention_still_runs_the_command(bot: Bot) -> None:
    await crisis(bot, "open Outage --sev 3")
    body = json.loads(app_mention("hey <@UBOT> CRI-1 update Fixed upstream", user="W222", event_id="EvM2"))
    body["authorizations"] = [{"enterprise_id": None, "team_id": "T111", "user_id": "UBOT", "is_bot": True}]
    response = await bot.send(json.dumps(body), content_type="application/json")
    assert response.status == 200
    assert bot.incident().last_update.text == "Fixed upstream"  # type: ignore[union-attr]
