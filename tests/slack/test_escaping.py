"""Whatever people type, Slack shows exactly that: no ping, no link, no formatting of its own (property tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack.blocks import card_blocks, fallback_text, reply_blocks
from adapters.slack.markup import REFERENCE, from_slack
from bot import views
from bot.config import Settings
from bot.describe import fact
from bot.i18n import translator
from bot.model import Incident
from bot.replies import Reply
from tests.slack import slack_shows

t = translator("en")
SETTINGS = Settings()
LEAD, LEGAL = "U0LEAD", "U0LEGAL"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

# What an attacker or an unlucky writer would try, mixed with anything at all.
TRICKY = st.sampled_from([
    "<!channel>", "<!everyone>", "<!here>", "<!subteam^S0123|@crisis-team>", "<https://evil.example|our site>",
    "<50€ & >2 days", "*bold*", "_italic_", "~strike~", "`code`", "```block```", "\n> quoted", "&amp;", "&lt;b&gt;",
    "<mailto:a@b.example>", "<#C0123>", " ", "\n",
])
ANY = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
typed = (
    st.lists(st.one_of(TRICKY, ANY), min_size=1, max_size=8)
    .map("".join)
    # `<@id>` is the one reference neutral text carries (a person): shown as a mention, tested apart below.
    .filter(lambda text: text.strip() != "" and not REFERENCE.search(text))
)


def sees(blocks: list[dict], text: str) -> tuple[slack_shows.Shown, slack_shows.Shown]:  # type: ignore[type-arg]
    # Messages are posted with `mrkdwn: false`: the notification text gets no formatting.
    return slack_shows.message(blocks, text, text_mrkdwn=False)


def assert_reads_as_typed(stored: str, *shown: slack_shows.Shown) -> None:
    for view in shown:
        assert stored in view.text, f"{stored!r} not in {view.text!r}"
        assert all(kind in ("user", "channel") for kind, _ in view.effects), view.effects
        assert {who for kind, who in view.effects if kind == "user"} <= {LEAD, LEGAL}


def incident_with(title: str, words: str) -> Incident:
    incident = Incident.open(1, title, 2, LEAD, T0, SETTINGS, description=words)
    incident.post_update(words, LEAD, T0 + timedelta(minutes=1), SETTINGS)
    incident.add_note(words, LEGAL, T0 + timedelta(minutes=2))
    incident.create_draft(words, LEAD, T0 + timedelta(minutes=3), SETTINGS)
    return incident


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=typed, words=typed)
def test_titles_drafts_updates_notes_and_news_read_exactly_as_typed(title: str, words: str) -> None:
    incident = incident_with(title, words)
    title, words = incident.title, incident.last_update.text  # type: ignore[union-attr]
    card = views.incident_card(incident, SETTINGS, t)
    body, notification = sees(card_blocks(card, t), fallback_text(Reply(cards=(card,))))
    assert_reads_as_typed(title, body, notification)
    assert_reads_as_typed(words, body)  # description and latest update
    draft = views.draft_card(incident, incident.drafts[0], t)
    body, notification = sees(card_blocks(draft, t), fallback_text(Reply(cards=(draft,))))
    assert_reads_as_typed(words, body)
    assert notification.effects == []
    timeline = views.timeline_card(incident, SETTINGS, t)
    body, _ = sees(card_blocks(timeline, t), "")
    assert_reads_as_typed(title, body)
    assert body.text.count(words) >= 2  # the update and the note
    listed = views.list_card([incident], SETTINGS, t)
    assert_reads_as_typed(title, sees(card_blocks(listed, t), "")[0])
    news = Reply(text=f"{incident.key} · <@{LEAD}> · {fact(incident.timeline[-3].event, t)}")
    assert_reads_as_typed(words, *sees(reply_blocks(news, t), fallback_text(news)))


@settings(max_examples=150, deadline=None)
@given(typed)
def test_slack_typed_text_comes_back_as_the_person_typed_it(text: str) -> None:
    # Slack sends `&`, `<`, `>` as entities; decoding gives back exactly what was typed (a non-breaking space reads as a
    # space: see from_slack).
    sent = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert from_slack(sent) == text.replace("\xa0", " ")


def test_what_slack_recognised_becomes_the_typed_text() -> None:
    sent = ("Call <@U0LEGAL|carol> in <#C0123|crisis> <!channel> <!subteam^S01|@team> "
            "see <https://example.com|example.com> or <https://evil.example|our site>")
    assert from_slack(sent) == (
        "Call <@U0LEGAL> in #crisis @channel @team see example.com or our site (https://evil.example)"
    )


def test_mentions_the_bot_composes_stay_real_and_roster_names_read_as_names() -> None:
    reply = Reply(text=f"CRI-1 · <@{LEAD}> · legal: <@carol> replaces <@{LEGAL}>")
    body, notification = sees(reply_blocks(reply, t, {"carol": "Carol"}), fallback_text(reply, {"carol": "Carol"}))
    assert ("user", LEAD) in body.effects and ("user", LEGAL) in body.effects
    assert "legal: @Carol replaces" in body.text
    assert f"<@{LEAD}>" in fallback_text(reply) and ("user", LEGAL) in notification.effects


def test_the_reference_sees_what_raw_mrkdwn_would_do() -> None:
    """The reference is not lenient: the old rendering (raw mrkdwn) pings, links and formats."""
    raw = {"type": "mrkdwn", "text": "<!channel> *hi* <https://e.x|our site>"}
    body, _ = slack_shows.message([{"type": "section", "text": raw}])
    assert ("ping", "channel") in body.effects and ("link", "https://e.x") in body.effects
    assert body.text == "@channel hi our site"


def test_only_the_references_slack_recognised_stay_references() -> None:
    # `<…>` Slack sent is a reference; `&lt;…&gt;` was typed, even when pieces of both make up one look-alike.
    for sent, references in [
        ("&lt;@U0LEGAL&gt; <@U0LEAD|alice>", ["<@U0LEAD>"]),
        ("<@U0LEAD|alice>&lt;#C0123&gt;", ["<@U0LEAD>"]),
        ("&lt;<#C0123|>&gt;", []),  # a channel Slack names by id only, between typed brackets
        ("&lt;<@U0LEAD|alice>&gt;", ["<@U0LEAD>"]),
    ]:
        assert [m.group(0) for m in REFERENCE.finditer(from_slack(sent))] == references, sent


def test_a_link_slack_escaped_reads_as_typed() -> None:
    # Slack escapes `&` inside `<…>` too: a query string or a label with `&` must not keep `&amp;`.
    assert from_slack("<https://x.example/?a=1&amp;b=2|Q&amp;A>") == "Q&A (https://x.example/?a=1&b=2)"
    assert from_slack("see <https://x.example/?a=1&amp;b=2>") == "see https://x.example/?a=1&b=2"
    assert "\u2060" in from_slack("<https://x.example|&lt;@U1&gt;>")  # a label that looks like a mention names no one
