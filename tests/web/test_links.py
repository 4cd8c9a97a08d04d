"""Personal links over real HTTP: the cookie they set, and what a missing, forged or expired link gets."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from bot import access
from tests.fakes import FakeClock
from tests.web.conftest import Served, start
from tests.web.crisis import SECRET, environment, say


async def test_a_link_sets_a_strict_http_only_cookie_and_moves_to_the_clean_url(served: Served) -> None:
    response = await served.client.get(served.link(), allow_redirects=False)
    assert response.status == 200
    cookie = response.headers["Set-Cookie"]
    token = served.link().split("token=")[1]
    assert cookie.startswith(f"crisisbot_dashboard={token};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/dashboard" in cookie
    assert "Max-Age=43200" in cookie  # 12 hours
    assert "Secure" not in cookie  # served over plain HTTP on loopback
    body = await response.text()
    assert '<meta http-equiv="refresh" content="0; url=/dashboard">' in body
    assert "token" not in body
    assert response.headers["Referrer-Policy"] == "no-referrer"
    # The cookie alone opens the pages from then on.
    board = await served.client.get("/dashboard")
    assert board.status == 200 and "CRI-3" in await board.text()
    page = await served.client.get("/dashboard/CRI-1")
    assert page.status == 200


async def test_a_link_to_an_incident_keeps_the_incident_in_the_clean_url(served: Served) -> None:
    token = served.link().split("token=")[1]
    response = await served.client.get(f"/dashboard/CRI-2?token={token}")
    assert '<meta http-equiv="refresh" content="0; url=/dashboard/CRI-2">' in await response.text()


async def test_the_cookie_is_secure_when_the_dashboard_is_reached_over_https(tmp_path: Path) -> None:
    served = await start(environment(tmp_path, CRISISBOT_PUBLIC_URL="https://crisis.example.com"), FakeClock(), False)
    try:
        link = served.link()
        assert say(served.runtime, "dashboard").text.split(": ", 1)[1].startswith("https://crisis.example.com/dashboard?")
        response = await served.client.get(link)
        assert "Secure" in response.headers["Set-Cookie"]
    finally:
        await served.client.close()


async def test_without_a_link_the_dashboard_answers_401_saying_how_to_get_one(served: Served) -> None:
    for path in ("/dashboard", "/dashboard/CRI-1", "/dashboard/CRI-1/report.html", "/dashboard/events"):
        response = await served.client.get(path)
        assert response.status == 401, path
        body = await response.text()
        assert "This page needs a personal dashboard link." in body
        assert "Type `dashboard` to crisisbot in Slack, Teams or the console" in body
        assert "CRI-1" not in body and "Delivery delays" not in body


async def test_a_forged_link_gets_401_and_shows_nothing(served: Served) -> None:
    token = served.link().split("token=")[1]
    version, payload, signature = token.split(".")
    other = access.Pass("mallory", "console", None, served.clock.now() + timedelta(days=30))  # type: ignore[union-attr]
    forged = [
        f"{version}.{payload}.{'0' * len(signature)}",
        f"{version}.{payload}\u00e9.{signature}",  # a letter no base32 payload has
        f"{version}.{payload}.{signature[:-1]}\u00e9",
        access.sign("another-key-of-enough-length", other),
        f"{version}.{access.sign(SECRET, other).split('.')[1]}.{signature}",  # someone else's payload, alice's signature
        "garbage",
    ]
    for token in forged:
        response = await served.client.get("/dashboard", params={"token": token})
        assert response.status == 401, token
        body = await response.text()
        assert "This dashboard link is not valid." in body
        assert "Set-Cookie" not in response.headers
    # A forged cookie is refused the same way, and cleared.
    served.client.session.cookie_jar.update_cookies({"crisisbot_dashboard": forged[0]})
    response = await served.client.get("/dashboard")
    assert response.status == 401
    assert 'crisisbot_dashboard=""' in response.headers["Set-Cookie"]


async def test_an_expired_link_gets_401_in_the_language_of_its_person(served: Served) -> None:
    clock = served.clock
    assert clock is not None
    link = served.link(person="bob", language="fr")
    clock.advance(hours=12, seconds=1)
    response = await served.client.get(link)
    assert response.status == 401
    body = await response.text()
    assert '<html lang="fr">' in body
    assert "Ce lien vers le tableau de bord a expiré\u00a0: les liens sont valables 12 heures." in body
    assert "Écrivez `tableau` à crisisbot" in body


async def test_a_cookie_stops_working_when_its_link_expires(served: Served) -> None:
    await served.enter()
    assert (await served.client.get("/dashboard")).status == 200
    assert served.clock is not None
    served.clock.advance(hours=12)
    response = await served.client.get("/dashboard")
    assert response.status == 401
    assert "This dashboard link has expired" in await response.text()


async def test_a_visitor_without_a_link_is_answered_in_the_browser_language(served: Served) -> None:
    response = await served.client.get("/dashboard", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.8"})
    assert response.status == 401
    assert "Cette page demande un lien personnel vers le tableau de bord." in await response.text()


async def test_the_server_refuses_the_dashboard_without_a_secret_key(tmp_path: Path) -> None:
    for key in ("", "too-short"):
        served = await start(environment(tmp_path, CRISISBOT_SECRET_KEY=key), FakeClock(), crisis=False)
        try:
            # Even a link signed with that key opens nothing.
            token = access.sign(key, access.Pass("alice", "console", None, FakeClock().now() + timedelta(hours=1)))
            for path in ("/dashboard", f"/dashboard?token={token}", "/dashboard/CRI-1", "/dashboard/events"):
                response = await served.client.get(path)
                assert response.status == 503, path
                assert "The operator must set CRISISBOT_SECRET_KEY" in await response.text()
                assert "Set-Cookie" not in response.headers
            reply = say(served.runtime, "dashboard")
            assert reply.private
            assert "The dashboard is off: the operator must set CRISISBOT_SECRET_KEY" in reply.text
            assert "token" not in reply.text
        finally:
            await served.client.close()


async def test_pages_forbid_framing_caching_and_foreign_scripts(served: Served) -> None:
    await served.enter()
    response = await served.client.get("/dashboard")
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce and f'<script nonce="{nonce.group(1)}">' in await response.text()
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["Cache-Control"] == "no-store"
