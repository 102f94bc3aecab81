"""Where vacancies come from: the local database and external HTTP vacancy APIs.

Every source is a :class:`VacancySource`: it has a ``name`` (shown on result cards and in
``SearchPage.unavailable_sources``) and an asynchronous ``search(query)`` that returns the
source's best candidates for the query: its first ``query.window`` (more is allowed, the
search service filters, ranks and cuts again). A source
that cannot answer raises :class:`bot.errors.SourceUnavailable` (and nothing else), with the
cause chained; :func:`bot.vacancies.search` then carries on with the other sources.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from bot.vacancies import SearchQuery, Vacancy

if TYPE_CHECKING:
    from bot.config import Settings


class VacancySource(Protocol):
    """A provider of vacancies for :func:`bot.vacancies.search`."""

    name: str

    async def search(self, query: SearchQuery) -> list[Vacancy]:
        """Candidates for ``query``: at least this source's best ``query.window``.

        Raises:
            SourceUnavailable: the source could not answer (the only exception allowed).
        """
        ...


def build_sources(settings: Settings) -> list[VacancySource]:
    """The sources of a running assistant: the local database, then the external API when
    ``VACANCY_API_URL`` is set. Create them once per process (the HTTP source keeps one
    connection pool; close it with ``await source.close()`` at shutdown)."""
    from bot.sources.http import HttpVacancySource
    from bot.sources.local import LocalVacancySource
    from bot.storage import db

    sources: list[VacancySource] = [LocalVacancySource(db.engine_for(settings.database_url))]
    if settings.vacancy_api is not None:
        sources.append(HttpVacancySource(settings.vacancy_api))
    return sources
