"""Prepare the database at start: migrate, then demo data on an empty database if asked.

Demo vacancies (bot/resources/demo/vacancies.json, invented offers flagged ``demo``) are
imported once, when no vacancy is stored and no real source is configured (France Travail,
``VACANCY_API_URL``, ``VACANCY_FEEDS``: invented offers must not sit beside real ones);
demo information sessions are added by slug, so a second start adds nothing.
``BOT_DEMO_DATA`` (``Settings.demo_data``) asks for them: on by default for ``make run``, off
by default for ``make run-prod``.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources

from sqlalchemy import func, select

from bot.config import Settings
from bot.sessions import demo as demo_sessions
from bot.storage import db, migrate
from bot.storage.vacancies import vacancies
from bot.vacancies.importer import import_feed

DEMO_FEED = "demo/vacancies.json"


def real_sources(settings: Settings) -> list[str]:
    """The real vacancy sources ``settings`` configures (the demo offers then stay out)."""
    names = [name for name, _url in settings.vacancy_feeds]
    if settings.vacancy_api is not None:
        names.append(settings.vacancy_api.name)
    if settings.france_travail is not None:
        names.append(settings.france_travail.name)
    return names


def prepare(settings: Settings, say: Callable[[str], None] = print, demo: bool = True) -> None:
    """Bring the schema up to date and, with ``demo``, add the demo data that is missing."""
    say("preparing the database (migrations)...")
    migrate.upgrade(settings.database_url)
    if not demo:
        return
    engine = db.make_engine(settings.database_url)
    try:
        with db.transaction(engine) as conn:
            stored = conn.execute(select(func.count()).select_from(vacancies)).scalar_one()
        real = real_sources(settings)
        if real and not stored:
            say(f"no demo vacancies: real sources are configured ({', '.join(real)})")
        elif not stored:
            with resources.as_file(resources.files("bot.resources").joinpath(DEMO_FEED)) as path:
                report = import_feed(engine, path)
            say(f"demo vacancies imported: {report.summary()}")
        with db.transaction(engine) as conn:
            seeded = demo_sessions.seed(conn)
        if seeded.created:
            say(f"demo information sessions added: {seeded.created}")
    finally:
        engine.dispose()
