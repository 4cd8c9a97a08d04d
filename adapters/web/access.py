"""Who may see the dashboard: a personal link signed with CRISISBOT_SECRET_KEY, then a cookie carrying the same token.

The link answers with a small page that sets the cookie and moves to the clean URL by itself (a meta refresh) rather
than with an HTTP redirect: browsers withhold SameSite=Strict cookies along a redirect chain started from another
site (the chat app the link was clicked in), and the first page would then ask for a link again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from adapters.web import templating
from adapters.web.words import denied_words, off_words
from bot import access
from bot.config import Settings
from bot.i18n import LANGUAGES, translator

COOKIE = "crisisbot_dashboard"


@dataclass(frozen=True)
class Visitor:
    granted: access.Pass
    language: str


def language_for(request: web.Request, settings: Settings, granted: access.Pass | None = None) -> str:
    """The link's person's language; for a visitor without a valid link, the browser's if we speak it; else the
    configured one."""
    if granted is not None and granted.language in LANGUAGES:
        return granted.language
    if granted is None:
        for part in request.headers.get("Accept-Language", "").split(","):
            code = part.split(";")[0].strip()[:2].lower()
            if code in LANGUAGES:
                return code
    return settings.language


def secure(request: web.Request, settings: Settings) -> bool:
    # Behind a TLS-terminating proxy the request itself is plain HTTP: the public URL says how people reach us.
    return request.secure or settings.public_url.lower().startswith("https://")


def _page(template_words: dict[str, str], status: int) -> web.Response:
    response = web.Response(text=templating.render("message.html", w=template_words), status=status,
                            content_type="text/html")
    harden(response, scripts=False)
    return response


def harden(response: web.StreamResponse, scripts: bool, nonce: str = "") -> None:
    script = f"script-src 'nonce-{nonce}'; connect-src 'self'; " if scripts else ""
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; {script}style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"


def off(settings: Settings) -> web.Response:
    return _page(off_words(translator(settings.language)), 503)


def denied(request: web.Request, settings: Settings, reason: str, granted: access.Pass | None = None) -> web.Response:
    t = translator(language_for(request, settings, granted))
    response = _page(denied_words(t, reason), 401)
    if request.cookies.get(COOKIE):
        response.del_cookie(COOKIE, path="/dashboard")
    return response


def enter(request: web.Request, settings: Settings, token: str, granted: access.Pass, now: datetime) -> web.Response:
    """The answer to a personal link: the cookie, and a page that moves on to the same URL without the token."""
    target = request.rel_url.with_query({k: v for k, v in request.rel_url.query.items() if k != "token"})
    t = translator(language_for(request, settings, granted))
    text = t("Opening the dashboard…")
    body = templating.render("enter.html", lang=t.language, target=str(target), text=text)
    response = web.Response(text=body, content_type="text/html")
    harden(response, scripts=False)
    response.set_cookie(
        COOKIE, token, path="/dashboard", max_age=max(int((granted.expires_at - now).total_seconds()), 0),
        httponly=True, samesite="Strict", secure=secure(request, settings),
    )
    return response


def check(request: web.Request, settings: Settings, now: datetime) -> Visitor | web.Response:
    """The visitor, or the page to answer instead (the dashboard off, a link to set, a link needed)."""
    if not access.usable_key(settings.secret_key):
        return off(settings)
    token = request.query.get("token")
    from_link = token is not None
    token = token if token is not None else request.cookies.get(COOKIE)
    if not token:
        return denied(request, settings, "missing")
    try:
        granted = access.verify(settings.secret_key, token, now)
    except access.BadLink as bad:
        return denied(request, settings, bad.reason, bad.pass_)
    if from_link:
        return enter(request, settings, token, granted, now)
    return Visitor(granted, language_for(request, settings, granted))
