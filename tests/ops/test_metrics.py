"""`GET /metrics` over real HTTP: off by default, loopback only unless public, and what traffic through a door counts."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from adapters import metrics
from adapters.prometheus import REMINDERS, MeteredCourier
from bot.ports import Outgoing
from bot.replies import Reply
from tests.fakes import T0, FakeUnitOfWork, Store
from tests.ops.conftest import Samples, crisisbot_server, outward_address, samples, scrape, until, value
from tests.slack.fake_slack import FakeSlack
from tests.slack.slack_requests import sign, slash_command, slash_command_payload

ON = {"CRISISBOT_METRICS": "on"}


async def test_metrics_are_off_by_default(fake_slack: tuple[FakeSlack, str], tmp_path: Path) -> None:
    async with crisisbot_server(fake_slack[0], tmp_path, {}) as bot:
        status, _, _ = await scrape(bot)
        assert (await bot.send(slash_command("open Outage --sev 2"))).status == 200
    assert status == 404
    assert bot.incident() is not None  # the doors work as ever


async def test_traffic_through_the_slack_door_shows_in_the_metrics(fake_slack: tuple[FakeSlack, str],
                                                                   tmp_path: Path) -> None:
    async with crisisbot_server(fake_slack[0], tmp_path, ON) as bot:
        status, content_type, text = await scrape(bot)
        assert status == 200 and content_type.startswith("text/plain; version=0.0.4")
        before = samples(text)
        assert (await bot.send(slash_command("open Checkout is down --sev 1", trigger_id="m.1"))).status == 200
        assert (await bot.send(slash_command("open Slow search --sev 3", trigger_id="m.2"))).status == 200
        assert (await bot.send(slash_command("CRI-2 resolve Fixed", trigger_id="m.3"))).status == 200
        assert (await bot.send(slash_command("CRI-99 resolve Nothing", trigger_id="m.4"))).status == 200
        forged = slash_command("open Forged --sev 1", trigger_id="m.5")
        assert (await bot.post(forged, headers=sign(forged, secret="not-the-secret"), signed=False)).status == 401
        assert (await bot.post("payload=%7Bnot-json", signed=True)).status == 400
        async with bot.session.post(f"{bot.url}/api/messages", data="hello", headers={"Content-Type": "text/plain"}) as r:
            assert r.status == 415  # the Teams door, counted apart
        after = samples((await scrape(bot))[2])
        async with bot.session.get(f"{bot.url}/metrics", headers={"Accept": "application/openmetrics-text"}) as asked:
            assert asked.headers["Content-Type"].startswith("application/openmetrics-text")
            assert (await asked.text()).endswith("# EOF\n")

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("crisisbot_requests_total", door="slack", outcome="ok") == 4
    assert grew("crisisbot_requests_total", door="slack", outcome="refused") == 1
    assert grew("crisisbot_requests_total", door="slack", outcome="malformed") == 1
    assert grew("crisisbot_ack_seconds_count", door="slack") == 6
    assert grew("crisisbot_requests_total", door="teams", outcome="malformed") == 1
    assert grew("crisisbot_ack_seconds_bucket", door="slack", le="+Inf") == 6
    assert grew("crisisbot_commands_total", command="OpenIncident", outcome="ok") == 2
    assert grew("crisisbot_commands_total", command="Resolve", outcome="ok") == 1
    assert grew("crisisbot_commands_total", command="Resolve", outcome="refused") == 1
    # Gauges are read from the database at the scrape: CRI-1 is open at severity 1, CRI-2 resolved.
    assert value(after, "crisisbot_active_incidents", severity="1", status="active") == 1
    assert value(after, "crisisbot_active_incidents", severity="3", status="active") == 0
    assert ("crisisbot_active_incidents", frozenset({("severity", "4"), ("status", "monitoring")})) in after
    assert value(after, "crisisbot_database_up") == 1
    # Listed at zero for every platform served, so the series never vanishes.
    assert after[("crisisbot_inbox_backlog", frozenset({("platform", "slack")}))] == 0
    assert after[("crisisbot_outbox_backlog", frozenset({("platform", "teams")}))] == 0
    assert all(name.startswith("crisisbot_") for name, _ in after)


async def test_a_delivered_reminder_is_counted_with_its_delay(fake_slack: tuple[FakeSlack, str], tmp_path: Path) -> None:
    every_two_seconds = {**ON, "CRISISBOT_CHECKIN_INTERVALS": "2=2s", "CRISISBOT_SCHEDULER_TICK": "1s"}
    async with crisisbot_server(fake_slack[0], tmp_path, every_two_seconds) as bot:
        before = samples((await scrape(bot))[2])
        assert (await bot.send(slash_command("open Wave of complaints --sev 2"))).status == 200
        after: Samples = {}

        async def reminded() -> bool:
            nonlocal after
            after = samples((await scrape(bot))[2])
            return value(after, "crisisbot_reminders_sent_total", kind="checkin") > \
                value(before, "crisisbot_reminders_sent_total", kind="checkin")

        assert await until(reminded)
    delays = value(after, "crisisbot_reminder_delay_seconds_count", kind="checkin") - \
        value(before, "crisisbot_reminder_delay_seconds_count", kind="checkin")
    assert delays >= 1
    # Recorded at a wake-up and delivered in the same one: well within the first buckets.
    assert value(after, "crisisbot_reminder_delay_seconds_bucket", kind="checkin", le="10.0") >= delays
    assert value(after, "crisisbot_outbox_backlog", platform="slack") == 0


async def test_signals_counter_is_exposed(fake_slack: tuple[FakeSlack, str], tmp_path: Path) -> None:
    async with crisisbot_server(fake_slack[0], tmp_path, ON) as bot:
        before = samples((await scrape(bot))[2])
        metrics.signal_received("webhook")
        metrics.signal_received("webhook")
        after = samples((await scrape(bot))[2])
    grown = value(after, "crisisbot_signals_received_total", source="webhook") - \
        value(before, "crisisbot_signals_received_total", source="webhook")
    assert grown == 2


async def test_a_request_through_a_proxy_is_refused_unless_public(fake_slack: tuple[FakeSlack, str],
                                                                  tmp_path: Path) -> None:
    for public, expected in ((False, 403), (True, 200)):
        async with crisisbot_server(fake_slack[0], tmp_path, ON, public=public) as bot:
            forwarded = {"X-Forwarded-For": "203.0.113.9"}
            async with bot.session.get(f"{bot.url}/metrics", headers=forwarded) as response:
                assert response.status == expected
                if expected == 403:
                    assert "--public" in await response.text()


@pytest.mark.parametrize("public", [False, True], ids=["loopback-only", "public"])
async def test_a_scrape_from_another_address_needs_public(fake_slack: tuple[FakeSlack, str], tmp_path: Path,
                                                          public: bool) -> None:
    address = outward_address()
    if address is None:
        pytest.skip("this machine has no address other than loopback")
    async with crisisbot_server(fake_slack[0], tmp_path, ON, public=public, host="0.0.0.0") as bot:
        port = bot.url.rsplit(":", 1)[1]
        async with aiohttp.ClientSession() as session, session.get(f"http://{address}:{port}/metrics") as response:
            outside = response.status
            body = await response.text()
        inside, _, _ = await scrape(bot)
    assert inside == 200
    if public:
        assert outside == 200 and "crisisbot_database_up 1.0" in body
    else:
        assert outside == 403 and "loopback only" in body


async def test_socket_mode_envelopes_are_counted_as_slack_requests(fake_slack: tuple[FakeSlack, str],
                                                                   tmp_path: Path) -> None:
    slack = fake_slack[0]
    env = {**ON, "SLACK_APP_TOKEN": "xapp-1-test-app-token", "SLACK_SIGNING_SECRET": ""}
    async with crisisbot_server(slack, tmp_path, env) as bot:
        before = samples((await scrape(bot))[2])
        await slack.connected.wait()
        await slack.send_envelope({"envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True,
                                   "payload": slash_command_payload("open Outage --sev 2", trigger_id="sock.m1")})
        await slack.wait_for_ack("env-1")
        await slack.send_envelope({"envelope_id": "env-2", "type": "slash_commands",
                                   "payload": {"command": "/crisis", "text": "open Sneaky --sev 2"}})
        await slack.wait_for_ack("env-2")
        await bot.door.work.drain()
        after = samples((await scrape(bot))[2])
    assert value(after, "crisisbot_requests_total", door="slack", outcome="ok") - \
        value(before, "crisisbot_requests_total", door="slack", outcome="ok") == 1
    assert value(after, "crisisbot_requests_total", door="slack", outcome="malformed") - \
        value(before, "crisisbot_requests_total", door="slack", outcome="malformed") == 1
    assert bot.incident() is not None


async def test_signals_posted_are_counted_by_source_and_invented_sources_stay_bounded(
    fake_slack: tuple[FakeSlack, str], tmp_path: Path
) -> None:
    async with crisisbot_server(fake_slack[0], tmp_path, ON) as bot:
        before = samples((await scrape(bot))[2])
        body = [{"source": "trustpilot", "text": "late parcel"}, {"source": "trustpilot", "text": "still late"}]
        async with bot.session.post(f"{bot.url}/signals", json=body) as response:
            assert response.status == 202
        flood = [{"source": f"made-up-{i}", "text": f"noise {i}"} for i in range(metrics.MAX_SIGNAL_SOURCES + 20)]
        async with bot.session.post(f"{bot.url}/signals", json=flood) as response:
            assert response.status == 202
        after = samples((await scrape(bot))[2])
    grown = value(after, "crisisbot_signals_received_total", source="trustpilot") - \
        value(before, "crisisbot_signals_received_total", source="trustpilot")
    assert grown == 2
    sources = {dict(labels)["source"] for name, labels in after if name == "crisisbot_signals_received_total"}
    assert len(sources) <= metrics.MAX_SIGNAL_SOURCES + 1
    assert "other" in sources


def test_a_reminder_dropped_unsent_is_not_counted_as_delivered() -> None:
    # Superseded check-ins and approvals already given are settled as done with: they reached nobody.
    store = Store()
    courier = MeteredCourier(lambda: FakeUnitOfWork(store), {})
    sent = Outgoing("CRI-1#3:checkin:slack:C1", "slack", "C1", False, Reply(text="sent"), T0)
    dropped = Outgoing("CRI-1#2:checkin:slack:C1", "slack", "C1", False, Reply(text="old"), T0)

    with FakeUnitOfWork(store) as uow:
        uow.outbox.add(sent)
        uow.outbox.add(dropped)
        uow.commit()

    def count() -> float:
        return float(REMINDERS.labels(kind="checkin")._value.get())

    before = count()
    courier.settle([(sent, None)], T0, [dropped])
    assert count() - before == 1
