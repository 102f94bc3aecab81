"""Imports every module that defines tables, so that ``db.metadata`` knows them all.

Alembic's autogeneration and the tests that create a schema import this module.
"""

from __future__ import annotations

from bot.storage import alerts as _alerts  # noqa: F401  (defines its table)
from bot.storage import console as _console  # noqa: F401  (defines its tables)
from bot.storage import consumed_events as _consumed_events  # noqa: F401  (defines its table)
from bot.storage import handoff as _handoff  # noqa: F401  (defines its tables)
from bot.storage import sessions  # noqa: F401  (registers the info session tables)
from bot.storage import vacancies as _vacancies  # noqa: F401  (defines its tables)
from bot.storage.db import metadata

__all__ = ["metadata"]
