"""Handlers of the public pages: read the request, fetch what the page shows, render."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.engine import Engine

from bot.web import content, pages
from bot.web.i18n import negotiate
from bot.web.keys import ENGINE, SESSIONS, SETTINGS
from bot.web.upcoming import format_when, upcoming_sessions

READY_TIMEOUT_S = 1.0


async def health(_request: web.Request) -> web.Response:
    """Liveness: the process serves HTTP."""
    return web.json_response({"status": "ok"})


def _select_one(engine: Engine) -> None:
    from sqlalchemy import text as sql

    from bot.storage.db import reading

    with reading(engine) as connection:
        connection.execute(sql("SELECT 1"))


async def ready(request: web.Request) -> web.Response:
    """Readiness: the database of ``DATABASE_URL`` answers within a second (else 503)."""
    try:
        await asyncio.wait_for(asyncio.to_thread(_select_one, request.app[ENGINE]), READY_TIMEOUT_S)
    except asyncio.TimeoutError:
        return web.json_response({"status": "not ready", "database": "timeout"}, status=503)
    except Exception as exc:  # any driver error means "not ready"
        error = type(exc).__name__
        return web.json_response({"status": "not ready", "database": error}, status=503)
    return web.json_response({"status": "ready", "database": "ok"})


def _redirect_by_language(request: web.Request, route: str) -> web.HTTPFound:
    language = negotiate(request.headers.get("Accept-Language"))
    location = request.app.router[route].url_for(lang=language)
    # Caches must keep one redirect per language.
    return web.HTTPFound(location, headers={"Vary": "Accept-Language"})


async def choose_language(request: web.Request) -> web.Response:
    raise _redirect_by_language(request, "home")


async def choose_language_privacy(request: web.Request) -> web.Response:
    raise _redirect_by_language(request, "privacy")


async def choose_language_accessibility(request: web.Request) -> web.Response:
    raise _redirect_by_language(request, "accessibility")


async def add_slash(request: web.Request) -> web.Response:
    raise web.HTTPMovedPermanently(f"/{request.match_info['lang']}/")


async def home(request: web.Request) -> web.Response:
    language = request.match_info["lang"]
    provider = request.app[SESSIONS]
    loop = asyncio.get_running_loop()
    # The provider may query the database: never on the event loop.
    listings = await loop.run_in_executor(None, upcoming_sessions, provider)  # type: ignore[arg-type]
    sessions = [{"listing": item, "when": format_when(item, language)} for item in listings]
    context: dict[str, Any] = pages.context(request, language, "home")
    context["sessions"] = sessions
    context["services"] = content.service_contacts(language)
    context["checked"] = content.contacts_checked(language)
    return aiohttp_jinja2.render_template("home.html", request, context)


async def privacy(request: web.Request) -> web.Response:
    language = request.match_info["lang"]
    context = pages.context(request, language, "privacy")
    context["retention_days"] = request.app[SETTINGS].retention_days
    context["records_retention_days"] = request.app[SETTINGS].records_retention_days
    context["alert_idle_days"] = request.app[SETTINGS].alert_idle_days
    context["authorities"] = content.authorities(language)
    return aiohttp_jinja2.render_template("privacy.html", request, context)


async def accessibility(request: web.Request) -> web.Response:
    """The accessibility statement: what is met, what is not, how to report a problem."""
    language = request.match_info["lang"]
    context = pages.context(request, language, "accessibility")
    context["services"] = content.service_contacts(language)
    context["bodies"] = content.appeal_bodies(language)
    return aiohttp_jinja2.render_template("accessibility.html", request, context)
