"""Vacancies: search across sources and languages, the search dialogue, feeds and their import.

:mod:`~bot.vacancies.model` holds the values; :mod:`~bot.vacancies.search` searches every
source (:mod:`~bot.vacancies.sources`: the local database, external HTTP APIs), ranks by
distance and pages; :mod:`~bot.vacancies.dialogue` reads the search form's answers,
:mod:`~bot.vacancies.replies` and :mod:`~bot.vacancies.cards` write the answers;
:mod:`~bot.vacancies.contract_types` reads contract types in a message;
:mod:`~bot.vacancies.feed` (with :mod:`~bot.vacancies.feed_files` and, for schema.org
JobPosting and HR-XML, :mod:`~bot.vacancies.standard_feeds`) reads feeds,
:mod:`~bot.vacancies.pull` fetches them from a URL, :mod:`~bot.vacancies.importer` loads
them into the database and :mod:`~bot.vacancies.sync` keeps sources synchronised there
(adds, updates, removes).
"""

from bot.vacancies.model import (
    CONTRACT_TYPES,
    DEFAULT_PAGE_SIZE,
    DEFAULT_RADIUS_KM,
    LANGUAGES,
    MAX_PAGE_SIZE,
    WORKING_TIMES,
    JobSite,
    RelatedOccupation,
    SearchPage,
    SearchQuery,
    SearchResult,
    Suggestions,
    Vacancy,
    VacancySource,
)
from bot.vacancies.search import (
    JOB_SITES,
    RELATED_LIMIT,
    RELATED_WINDOW,
    job_sites_for,
    matches,
    rank,
    search,
    suggest,
)

__all__ = [
    "CONTRACT_TYPES",
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_RADIUS_KM",
    "JOB_SITES",
    "JobSite",
    "LANGUAGES",
    "MAX_PAGE_SIZE",
    "RELATED_LIMIT",
    "RELATED_WINDOW",
    "RelatedOccupation",
    "SearchPage",
    "SearchQuery",
    "SearchResult",
    "Suggestions",
    "Vacancy",
    "VacancySource",
    "WORKING_TIMES",
    "job_sites_for",
    "matches",
    "rank",
    "search",
    "suggest",
]
