"""What the action modules share: the services they call, and running them off the event loop.

rasa-sdk instantiates every action with no arguments when the action server starts, so the
services are built lazily, once per process, on first use (``get_services``,
``get_vacancy_sources``): nothing is read or opened at import time. Tests pass their own
(a real SQLite engine, no mailer, a vacancy source that is down) to the constructor instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy.engine import Engine

from bot import log
from bot.config import Settings
from bot.mailer import Mailer
from bot.storage.db import engine_for
from bot.vacancies.model import VacancySource
from bot.vacancies.sources import build_sources

T = TypeVar("T")


@dataclass(frozen=True)
class Services:
    """The settings, database engine and mailer (None when e-mail is off) of the process."""

    settings: Settings
    engine: Engine
    mailer: Mailer | None = None


@lru_cache(maxsize=1)
def get_services() -> Services:
    """The process's services, built from the environment on first use."""
    settings = Settings.from_env()
    log.install_masking()  # the action server configures logging its own way
    return Services(settings, engine_for(settings.database_url), Mailer.from_settings(settings))


def get_settings() -> Settings:
    """The settings of this process, read once from the environment."""
    return get_services().settings


@lru_cache(maxsize=1)
def get_vacancy_sources() -> tuple[VacancySource, ...]:
    """The vacancy sources (local database, external API when configured), built once."""
    return tuple(build_sources(get_settings()))


def get_engine() -> Engine:
    """The process's database engine (``DATABASE_URL``)."""
    return get_services().engine


class UsesServices:
    """Mixin for actions that call bot/ services; ``services`` defaults to the process's."""

    def __init__(self, services: Services | None = None) -> None:
        self._services = services

    @property
    def services(self) -> Services:
        return self._services or get_services()

    async def blocking(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run database or SMTP work in a thread, never on the action server's event loop."""
        return await asyncio.to_thread(function, *args, **kwargs)


def language_of(tracker: Any) -> str:
    """The conversation's language slot, French when unset."""
    language = tracker.get_slot("language")
    return language if language in ("fr", "nl") else "fr"


def latest_text(tracker: Any) -> str:
    """What the candidate wrote last (a button's payload for a click), "" when nothing."""
    return str((tracker.latest_message or {}).get("text") or "")
