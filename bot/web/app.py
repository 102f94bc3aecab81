"""``create_app(settings)``: the aiohttp application of the website.

Other web features plug in here: a route module adds its routes with ``setup(app)`` in
:func:`create_app` and shares the settings under ``SETTINGS`` and the error pages of
:mod:`bot.web.middlewares`. The consultant console (bot.web.console) does so under
``/console/``; a sub-application (``app.add_subapp``) cannot be used with aiohttp 3.9.5 and
the pinned yarl, whose ``request.url`` breaks on a Host header with a port.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web
from sqlalchemy.engine import Engine

from bot.alerts import digest as alert_digest
from bot.config import Settings
from bot.mailer import Mailer
from bot.storage.db import make_engine
from bot.vacancies import sync as vacancy_sync
from bot.web import console, middlewares, routes
from bot.web.keys import ENGINE, SESSIONS, SETTINGS
from bot.web.upcoming import SessionsProvider, database_provider

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"


def create_app(settings: Settings, sessions: SessionsProvider | None = None) -> web.Application:
    """The website for these settings.

    Args:
        settings: ports, public Rasa URL...
        sessions: the provider of upcoming information sessions; by default the bookable
            sessions of the database.
    """
    app = web.Application(
        middlewares=[middlewares.security_headers, middlewares.error_pages],
        # No form of the site comes near this: a larger body is refused (413) unread.
        client_max_size=settings.max_request_bytes,
    )
    app[SETTINGS] = settings
    # One engine (connection pool) for the app's life: created here, disposed on exit.
    engine = make_engine(settings.database_url)
    app[ENGINE] = engine
    app[SESSIONS] = sessions if sessions is not None else database_provider(engine)

    async def engine_lifetime(_app: web.Application) -> AsyncIterator[None]:
        yield
        engine.dispose()  # after the console's background tasks, which stop first

    app.cleanup_ctx.append(engine_lifetime)
    sync_sources = vacancy_sync.sync_sources(settings)
    if sync_sources and settings.vacancy_sync_interval_s > 0:
        app.cleanup_ctx.append(_scheduled_sync(engine, sync_sources, settings))
    mailer = Mailer.from_settings(settings)
    if mailer is not None and settings.alert_send_interval_s > 0:
        app.cleanup_ctx.append(_scheduled_alerts(engine, mailer, settings))
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    app.router.add_static("/static/", STATIC_DIR, name="static", append_version=True)
    routes.setup(app)
    console.setup(app, settings)
    return app


def _scheduled_sync(
    engine: Engine, sources: list[vacancy_sync.SyncSource], settings: Settings
) -> Callable[[web.Application], AsyncIterator[None]]:
    """The vacancy sources' scheduled sync, for the life of the app (stopped before the
    engine is disposed)."""

    async def scheduled(_app: web.Application) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(
            vacancy_sync.run_scheduled(engine, sources, settings.vacancy_sync_interval_s, stop)
        )
        yield
        stop.set()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        for source in sources:
            if isinstance(source, vacancy_sync.FranceTravailSync):
                await source.close()

    return scheduled


def _scheduled_alerts(
    engine: Engine, mailer: Mailer, settings: Settings
) -> Callable[[web.Application], AsyncIterator[None]]:
    """The job alerts' e-mails, for the life of the app (stopped before the engine)."""

    async def scheduled(_app: web.Application) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(alert_digest.run_scheduled(engine, mailer, settings, stop))
        yield
        stop.set()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass

    return scheduled
