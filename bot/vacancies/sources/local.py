"""The vacancies imported into the project's own database (``import-vacancies``)."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import SourceUnavailable
from bot.storage import db
from bot.storage import vacancies as table
from bot.vacancies.model import SearchQuery, Vacancy

log = logging.getLogger(__name__)


class LocalVacancySource:
    """Searches the ``vacancies`` table.

    :meth:`search` runs the query in a worker thread (``asyncio.to_thread``) so that an
    action server or web handler never blocks its event loop; :meth:`search_blocking` is the
    same query for scripts and benchmarks that have no event loop.
    """

    def __init__(self, engine: Engine, name: str = "local") -> None:
        self.name = name
        self._engine = engine

    async def search(self, query: SearchQuery) -> list[Vacancy]:
        return await asyncio.to_thread(self.search_blocking, query)

    def search_blocking(self, query: SearchQuery) -> list[Vacancy]:
        """The candidates for ``query`` (see :func:`bot.storage.vacancies.search`).

        Raises:
            SourceUnavailable: the database could not be read.
        """
        try:
            with db.reading(self._engine) as connection:
                return table.search(connection, query)
        except SQLAlchemyError as exc:
            log.error("vacancy database unavailable: %s", type(exc).__name__)
            raise SourceUnavailable(self.name, "database error") from exc
