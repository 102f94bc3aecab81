"""What every console template gets: the consultant's language, catalog, links, token.

Every text comes from ``console.*`` in bot/resources/fr.yml and nl.yml; the language is
the signed-in consultant's (stored on the account), and on the sign-in page the browser's
(``Accept-Language``) unless ``?lang=`` chose one.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from aiohttp import web
from aiohttp.web_urldispatcher import AbstractResource
from aiohttp_session import SESSION_KEY, Session

from bot.console.summary import LOCAL_TIME
from bot.language.codes import SUPPORTED
from bot.web.console.keys import LANGUAGE, USER
from bot.web.i18n import Translate, negotiate, translator
from bot.web.keys import SETTINGS

# (route name, catalog key, admin only)
NAVIGATION = (
    ("conversations", "console.nav.conversations", False),
    ("callbacks", "console.nav.callbacks", False),
    ("inbox", "console.nav.inbox", False),
    ("analytics", "console.nav.analytics", False),
    ("sessions", "console.nav.sessions", False),
    ("models", "console.nav.models", False),
    ("users", "console.nav.users", True),
    ("privacy", "console.nav.privacy", True),
    ("retention", "console.nav.retention", True),
    ("audit", "console.nav.audit", True),
    ("replies", "console.nav.replies", True),
)


def csrf_token(session: Session) -> str:
    """The session's CSRF token, created on first use."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return str(token)


def request_language(request: web.Request) -> str:
    user = request.get(USER)
    if user is not None:
        return str(user.language)
    chosen = request.query.get("lang") or request.get(LANGUAGE)
    if chosen in SUPPORTED:
        return str(chosen)
    return negotiate(request.headers.get("Accept-Language"))


def when(timestamp: float | None) -> str:
    """Local date and time, "2026-12-02 09:15" (consultants sit in one time zone)."""
    if timestamp is None:
        return ""
    return dt.datetime.fromtimestamp(float(timestamp), LOCAL_TIME).strftime("%Y-%m-%d %H:%M")


def clock(timestamp: float | None) -> str:
    if timestamp is None:
        return ""
    return dt.datetime.fromtimestamp(float(timestamp), LOCAL_TIME).strftime("%H:%M:%S")


def stamp(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
    return aware.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")


def iso(moment: dt.datetime | float | None) -> str:
    """A moment (or a timestamp) for scripts (``data-since``): ISO 8601 with its offset."""
    if moment is None:
        return ""
    if isinstance(moment, (int, float)):
        moment = dt.datetime.fromtimestamp(float(moment), dt.timezone.utc)
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)).isoformat()


def intent_namer(t: Translate) -> Callable[[str | None], str]:
    """``intent_name("faq/taxes")``: "Question : impôts" for a consultant reading French.

    An intent the catalog does not name yet (added to the domain since) keeps its technical
    name rather than failing the page.
    """
    names = t("console.intent_names")

    def intent_name(intent: str | None) -> str:
        if not intent:
            return "–"
        return str(names.get(intent, intent))

    return intent_name


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def score(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


# Console routes are named "console.<name>" in the website's router.
ROUTE_PREFIX = "console."


def route(request: web.Request, name: str) -> AbstractResource:
    """The console route ``name`` ("conversations", "login"...)."""
    return request.app.router[ROUTE_PREFIX + name]


def url_maker(request: web.Request) -> Callable[..., str]:
    def url(name: str, query: dict[str, str] | None = None, **parts: object) -> str:
        target = route(request, name).url_for(**{k: str(v) for k, v in parts.items()})
        return str(target.with_query(query) if query else target)

    return url


def static_url(request: web.Request) -> Callable[[str], str]:
    static = request.app.router["static"]
    return lambda name: str(static.url_for(filename=name))


def context(request: web.Request, page: str, **extra: Any) -> dict[str, Any]:
    """The context of console page ``page`` (the name of its navigation entry)."""
    language = request_language(request)
    user = request.get(USER)
    session = request.get(SESSION_KEY)
    url = url_maker(request)
    nav = [
        {"name": name, "key": key, "url": url(name), "current": page == name}
        for name, key, admin in NAVIGATION
        if user is not None and (user.is_admin or not admin)
    ]
    t = translator(language)
    live_texts: dict[str, Any] = {}
    if user is not None:
        idle_s = request.config_dict[SETTINGS].handoff.takeover_idle_s
        live_texts = {**t("console.live"), "idle_minutes": f"{idle_s / 60:g}"}

    def language_label(code: str | None) -> str:
        """A detected language as a code (fr, nl), anything else as "other" in words."""
        return code if code in SUPPORTED else str(t("console.language.other"))

    return {
        "lang": language,
        "t": t,
        "language_label": language_label,
        "intent_name": intent_namer(t),
        "page": page,
        "user": user,
        "nav": nav,
        "csrf_token": csrf_token(session) if session is not None else "",
        "url": url,
        "static": static_url(request),
        # The public statement covers the console too; its footer links to it.
        "accessibility_url": str(request.app.router["accessibility"].url_for(lang=language)),
        "when": when,
        "clock": clock,
        "stamp": stamp,
        "iso": iso,
        "live_texts": live_texts,
        "percent": percent,
        "score": score,
        **extra,
    }
