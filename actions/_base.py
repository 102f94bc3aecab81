"""What the action modules share: the services they call, and running them off the event loop.

rasa-sdk instantiates every action with no arguments when the action server starts, so the
services (:class:`Services`) are built lazily, once per process, on first use
(:func:`get_services`): nothing is read or opened at import time. Every action that calls
bot/ services takes them the same way, through :class:`UsesServices`; tests pass their own
(a real SQLite engine, no mailer, a vacancy source that is down, a fixed clock).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy.engine import Engine

from bot import log
from bot.client import METADATA_KEY
from bot.config import Settings
from bot.language.codes import supported_or_default
from bot.mailer import Mailer
from bot.storage.db import engine_for
from bot.throttle import FailureThrottle
from bot.vacancies.model import VacancySource
from bot.vacancies.sources import build_sources

T = TypeVar("T")

# The window of failed booking references in the chat (bot.throttle).
REFERENCE_WINDOW_S = 15 * 60.0


def utc_now() -> datetime:
    """The time now, in UTC (the services' clock outside tests)."""
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Services:
    """What the actions call: the process's settings, database engine, mailer (None when
    e-mail is off), vacancy sources and clock; and the failed booking references per
    conversation and client (in this process's memory)."""

    settings: Settings
    engine: Engine
    mailer: Mailer | None = None
    vacancy_sources: tuple[VacancySource, ...] = ()
    clock: Callable[[], datetime] = utc_now
    reference_failures: FailureThrottle = field(default_factory=FailureThrottle)

    def now(self) -> datetime:
        return self.clock()


@lru_cache(maxsize=1)
def get_services() -> Services:
    """The process's services, built from the environment on first use."""
    settings = Settings.from_env()
    log.install_masking()  # the action server configures logging its own way
    return Services(
        settings,
        engine_for(settings.database_url),
        Mailer.from_settings(settings),
        tuple(build_sources(settings)),
        reference_failures=reference_throttle(settings),
    )


def reference_throttle(settings: Settings) -> FailureThrottle:
    """``BOT_MAX_FAILED_REFERENCES`` unknown references per key within 15 minutes."""
    return FailureThrottle(free=settings.max_failed_references, window_s=REFERENCE_WINDOW_S)


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
    """The conversation's language (its ``language`` slot), the default one when unset."""
    return supported_or_default(tracker.get_slot("language"))


def client_of(tracker: Any) -> str | None:
    """The key of the client address the latest message came from (:mod:`bot.client`; set
    by the website's channels only, never by the caller), None when unknown."""
    metadata = (tracker.latest_message or {}).get("metadata")
    key = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    return key if isinstance(key, str) and 0 < len(key) <= 64 else None


def latest_text(tracker: Any) -> str:
    """What the candidate wrote last (a button's payload for a click), "" when nothing."""
    return str((tracker.latest_message or {}).get("text") or "")
