"""Vacancies and searches as values: an offer, a query, a page of results, the suggestions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot import gazetteer
from bot.gazetteer import Occupation, Place
from bot.vacancies.areas import Area

CONTRACT_TYPES = (
    "permanent",
    "fixed_term",
    "temp_agency",
    "apprenticeship",
    "internship",
    "student",
    "freelance",
)
WORKING_TIMES = ("full", "part")
LANGUAGES = ("fr", "nl", "en", "de")
DEFAULT_RADIUS_KM = 30.0
DEFAULT_PAGE_SIZE = 3
MAX_PAGE_SIZE = 5


@dataclass(frozen=True)
class Vacancy:
    """One job offer as a source gives it, with its place and occupation normalised."""

    source: str
    source_id: str
    title: str
    employer: str
    language: str  # language of the posting: "fr" or "nl"
    occupation_id: str | None
    isco08: str | None
    place_id: str | None
    town: str  # as the source wrote it: shown when the place is not in the gazetteer
    lat: float | None
    lon: float | None
    country: str | None  # "FR" or "BE"
    contract_type: str
    working_time: str
    required_languages: tuple[str, ...]
    url: str
    posted_on: date
    expires_on: date | None = None
    description: str = ""
    demo: bool = False
    # The id at the public service that published the offer first ("francetravail:199TSTA"),
    # when the source gives it: the same offer relayed by two sources is shown once.
    official_id: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.source_id)

    def is_open(self, today: date) -> bool:
        return self.expires_on is None or self.expires_on >= today


@dataclass(frozen=True)
class SearchQuery:
    """What the candidate asked for; ``today`` defaults to the date of the search."""

    occupation_ids: tuple[str, ...] = ()
    place_id: str | None = None
    radius_km: float | None = DEFAULT_RADIUS_KM  # None: anywhere
    contract_types: tuple[str, ...] = ()
    offset: int = 0
    page_size: int = DEFAULT_PAGE_SIZE
    today: date | None = None
    limit: int | None = None  # results each source returns; default: see ``window``
    area: Area | None = None  # a country or region asked, or excluded ("pas en France")
    # Other places searched with ``place_id`` ("à Lille ou Tournai"), each with the radius.
    other_place_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        if self.offset < 0:
            raise ValueError("offset must not be negative")
        if self.radius_km is not None and self.radius_km <= 0:
            raise ValueError("radius_km must be positive (None means anywhere)")
        unknown = set(self.contract_types) - set(CONTRACT_TYPES)
        if unknown:
            raise ValueError(f"unknown contract types: {sorted(unknown)}")

    @property
    def origin(self) -> Place | None:
        """The candidate's place, the centre of the radius."""
        return gazetteer.place(self.place_id) if self.place_id else None

    @property
    def window(self) -> int:
        """How many ranked results each source must return: up to this page and one more."""
        return self.limit or self.offset + self.page_size + 1

    @property
    def day(self) -> date:
        return self.today or date.today()


@dataclass(frozen=True)
class SearchResult:
    vacancy: Vacancy
    distance_km: float | None  # from the candidate's place; None without a place


@dataclass(frozen=True)
class JobSite:
    """An official job board to suggest when nothing matches."""

    name: str
    url: str


@dataclass(frozen=True)
class RelatedOccupation:
    occupation: Occupation
    vacancies: int  # open offers found within the radius (counted up to the search window)


@dataclass(frozen=True)
class Suggestions:
    """What to propose when a search finds nothing."""

    wider_radius_km: int | None = None  # a radius that finds at least one offer
    related: tuple[RelatedOccupation, ...] = ()  # same ISCO group, those with offers first
    job_sites: tuple[JobSite, ...] = ()


@dataclass(frozen=True)
class SearchPage:
    query: SearchQuery
    results: tuple[SearchResult, ...]
    next_offset: int | None = None
    unavailable_sources: tuple[str, ...] = ()
    suggestions: Suggestions | None = None  # only on an empty first page

    @property
    def has_more(self) -> bool:
        return self.next_offset is not None


class VacancySource(Protocol):
    """A provider of vacancies for :func:`bot.vacancies.search`."""

    name: str

    async def search(self, query: SearchQuery) -> list[Vacancy]:
        """Candidates for ``query``: at least this source's best ``query.window``.

        Raises:
            SourceUnavailable: the source could not answer (the only exception allowed).
        """
        ...
