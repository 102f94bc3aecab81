"""What the action modules share: the settings and services of the action-server process.

Each getter builds its service on first use and returns the same one afterwards (connection
pools, HTTP sessions); nothing is built when the actions are imported. Actions that use a
service take it as an optional constructor argument, so that tests pass their own (a real
SQLite database, a source that is down) instead of the process-wide one.
"""

from __future__ import annotations

from functools import cache

from bot.config import Settings
from bot.sources import VacancySource, build_sources


@cache
def get_settings() -> Settings:
    """The settings of this process, read once from the environment."""
    return Settings.from_env()


@cache
def get_vacancy_sources() -> tuple[VacancySource, ...]:
    """The vacancy sources (local database, external API when configured), built once."""
    return tuple(build_sources(get_settings()))
