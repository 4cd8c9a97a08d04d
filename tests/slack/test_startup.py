"""What the server does with each Slack configuration, before any request."""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp
import pytest

from adapters.runtime import build_runtime
from adapters.server import StartupError, create_app
from tests.slack.conftest import BOT_TOKEN, serve, uow_factory


def app_for(env: dict[str, str], tmp_path: Path):  # type: ignore[no-untyped-def]
    return create_app(build_runtime(env, uow_factory=uow_factory(tmp_path)))


async def test_without_credentials_slack_is_off_and_says_why_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    runner, url = await serve(app_for({}, tmp_path))
    try:
        async with aiohttp.ClientSession() as session, session.get(f"{url}/healthz") as response:
            body = await response.json()
        assert "slack" not in body["platforms"] and "SLACK_BOT_TOKEN" in body["doors"]["slack"]["detail"]
    finally:
        await runner.cleanup()
    said = [r.getMessage() for r in caplog.records if "slack" in r.getMessage().lower() and "off" in r.getMessage()]
    assert len(said) == 1


def test_bot_token_without_signing_secret_stops_the_server(tmp_path: Path) -> None:
    with pytest.raises(StartupError, match="SLACK_SIGNING_SECRET"):
        app_for({"SLACK_BOT_TOKEN": BOT_TOKEN}, tmp_path)


def test_bad_app_token_stops_the_server(tmp_path: Path) -> None:
    with pytest.raises(StartupError, match="xapp-"):
        app_for({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "xoxb-wrong-kind"}, tmp_path)


def test_startup_error_never_shows_the_secrets(tmp_path: Path) -> None:
    with pytest.raises(StartupError) as raised:
        app_for({"SLACK_BOT_TOKEN": BOT_TOKEN}, tmp_path)
    assert BOT_TOKEN not in str(raised.value)


async def test_oauth_install_page_is_served(tmp_path: Path) -> None:
    pytest.importorskip("greenlet", reason="slack_sdk's SQLAlchemy installation store imports sqlalchemy.ext.asyncio")
    env = {"SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "client-secret-value", "SLACK_SIGNING_SECRET": "s3cr3t",
           "DATABASE_URL": f"sqlite:///{tmp_path}/oauth.db"}
    runner, url = await serve(app_for(env, tmp_path))
    try:
        async with aiohttp.ClientSession() as session, session.get(f"{url}/slack/install") as response:
            page = await response.text()
        assert response.status == 200 and "client_id=111.222" in page and "channels:manage" in page, page
    finally:
        await runner.cleanup()
