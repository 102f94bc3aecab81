"""The consultant console, served by the website under ``/console/``.

``setup(app, settings)`` adds its routes (bot.web.console.routes), its middlewares
(bot.web.console.security: errors, session, CSRF, authentication, each acting on
``/console`` paths only) to the website's application (bot/web/app.py); it shares the
website's database engine (``bot.web.keys.ENGINE``). Handlers are thin: they read the
request, call bot.console or bot.privacy in a worker thread (bot.web.console.blocking) and
render a template of ``templates/console/``.

While it runs, a background task keeps the conversation projection fresh every
``REFRESH_S`` seconds (list pages refresh it too; in production mode the event consumer
``python -m bot.events`` feeds it from RabbitMQ instead), and applies the retention purge
(``BOT_RETENTION_DAYS``) once a day, the first time ``FIRST_PURGE_S`` after start. It also
hands back to the assistant the takeovers nobody wrote in for ``BOT_TAKEOVER_IDLE_MINUTES``
(bot.console.idle_takeovers) and tells their holders through the live stream
(bot.web.console.live, whose own task reads every change for the open consoles). The
Models page's training runs as a child process (bot.training.job) that the application
watches without waiting for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot import privacy, sessions
from bot.config import Settings
from bot.console.cookie_key import cookie_key
from bot.console.idle_takeovers import hand_back_idle
from bot.console.projection import refresh_for
from bot.events.projection import broker_feeds_console
from bot.mailer import Mailer
from bot.storage import db
from bot.training.job import TrainingJob
from bot.web.console import live, routes, security
from bot.web.console.keys import MODEL_TRAINING
from bot.web.keys import ENGINE

log = logging.getLogger(__name__)

# Often, so that each refresh has little to apply: on SQLite it holds the write lock that
# Rasa's tracker store waits for (bot.console.projection.BATCH_EVENTS). When nothing is
# new, a refresh costs two reads.
REFRESH_S = 2.0
FIRST_PURGE_S = 600.0
PURGE_EVERY_S = 24 * 3600.0


def setup(app: web.Application, settings: Settings) -> None:
    """Add the console to the website ``app`` (before it starts)."""
    storage = security.ConsoleCookieStorage(cookie_key(settings))
    app.middlewares.extend(
        [
            security.errors,
            security.session_middleware(storage),
            security.csrf,
            security.authentication,
        ]
    )
    app.cleanup_ctx.append(live.background(settings))
    app.on_shutdown.append(live.end_streams)  # type: ignore[arg-type]  # aiosignal typing
    app.cleanup_ctx.append(_background(settings))
    app[MODEL_TRAINING] = TrainingJob(settings.var_dir)
    app.on_cleanup.append(_stop_watching_training)  # type: ignore[arg-type]  # aiosignal typing
    routes.setup(app)


async def _stop_watching_training(app: web.Application) -> None:
    """A training outlives the web server (its state file says so; bot.training.job)."""
    app[MODEL_TRAINING].close()


def _background(settings: Settings):  # type: ignore[no-untyped-def]
    async def keep_fresh(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(_keep_fresh(app, settings))
        yield
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass

    return keep_fresh


async def _keep_fresh(app: web.Application, settings: Settings) -> None:
    loop = asyncio.get_running_loop()
    next_purge = loop.time() + FIRST_PURGE_S
    while True:
        await asyncio.sleep(REFRESH_S)
        try:
            # Bookings never confirmed from their e-mail in time free their seats.
            await asyncio.to_thread(_expire_holds, app[ENGINE], settings)
        except Exception:  # as below: the next round retries
            log.exception("expiring the bookings' e-mail holds failed")
        try:
            if not broker_feeds_console():  # production: bot.events feeds the projection
                await asyncio.to_thread(refresh_for, app[ENGINE], settings)
            handed = await hand_back_idle(app[ENGINE], settings)
            if handed:
                app[live.HUB].idle_handed_back(handed)
                app[live.HUB].woken.set()  # the takeovers' end shows at once
            if loop.time() >= next_purge:
                next_purge = loop.time() + PURGE_EVERY_S
                await asyncio.to_thread(_purge, app[ENGINE], settings.retention_days)
        except Exception:  # the task must outlive a database hiccup; the next round retries
            log.exception("console background refresh failed")


def _expire_holds(engine: object, settings: Settings) -> None:
    mailer = Mailer.from_settings(settings)
    sessions.expire_holds_and_notify(engine, mailer, settings.public_url)  # type: ignore[arg-type]


def _purge(engine: object, days: int) -> None:
    with db.transaction(engine) as connection:  # type: ignore[arg-type]
        privacy.purge(connection, days, actor="system")
