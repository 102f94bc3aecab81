"""Where vacancies come from: the local database and external HTTP vacancy APIs.

Every source is a :class:`bot.vacancies.model.VacancySource`: it has a ``name`` (shown on
result cards and in ``SearchPage.unavailable_sources``) and an asynchronous ``search(query)``
that returns the source's best candidates for the query: its first ``query.window`` (more is
allowed, the search service filters, ranks and cuts again). A source that cannot answer
raises :class:`bot.errors.SourceUnavailable` (and nothing else), with the cause chained;
:func:`bot.vacancies.search.search` then carries on with the other sources.
"""

from __future__ import annotations

from bot.config import Settings
from bot.storage import db
from bot.vacancies.model import VacancySource
from bot.vacancies.sources.france_travail import FranceTravailSource
from bot.vacancies.sources.http import HttpVacancySource
from bot.vacancies.sources.local import LocalVacancySource


def build_sources(settings: Settings) -> list[VacancySource]:
    """The sources of a running assistant: the local database, then the external API when
    ``VACANCY_API_URL`` is set, then France Travail when its client id and secret are set.
    Create them once per process (the HTTP sources keep one connection pool each; close
    them with ``await source.close()`` at shutdown)."""
    sources: list[VacancySource] = [LocalVacancySource(db.engine_for(settings.database_url))]
    if settings.vacancy_api is not None:
        sources.append(HttpVacancySource(settings.vacancy_api))
    if settings.france_travail is not None:
        sources.append(FranceTravailSource(settings.france_travail))
    return sources
