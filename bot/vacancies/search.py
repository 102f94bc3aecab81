"""Vacancy search across sources: occupation codes, distance ranking, paging, suggestions.

A search names occupations by gazetteer id, so that a French speaker asking for "soudeur
près de Courtrai" finds the Dutch "Lasser" posting in Kortrijk: both are ``welder``. Results
are ranked by distance from the candidate's place (haversine), then newest first, within a
radius (30 km unless the candidate says otherwise; ``radius_km=None`` means anywhere).

Every source (the local database, external HTTP APIs) returns its best candidates for the
query, at least the first ``query.window`` of them in its own ranking; this module filters
them again with the same rules (so that a source that ignores a parameter cannot leak
results), merges them, removes the same offer published by two sources, and cuts the page.
"Show more" is the same query with ``offset=page.next_offset``.

Sources are asynchronous (``await source.search(query)``); the local database source runs its
blocking queries in a worker thread, so :func:`search` never blocks the event loop of the
action server.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from bot import gazetteer
from bot.errors import SourceUnavailable
from bot.gazetteer import Occupation, Place
from bot.text import fold
from bot.vacancies.model import (
    JobSite,
    RelatedOccupation,
    SearchPage,
    SearchQuery,
    SearchResult,
    Suggestions,
    Vacancy,
    VacancySource,
)

log = logging.getLogger(__name__)

RELATED_LIMIT = 3
RELATED_WINDOW = 20  # offers looked at to count those of each related occupation


JOB_SITES = {
    "vdab": JobSite("VDAB", "https://www.vdab.be"),
    "forem": JobSite("Le Forem", "https://www.leforem.be"),
    "francetravail": JobSite("France Travail", "https://www.francetravail.fr"),
    "eures": JobSite("EURES", "https://eures.europa.eu"),
}


@dataclass
class _Collected:
    results: list[SearchResult] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)


async def search(query: SearchQuery, sources: Sequence[VacancySource]) -> SearchPage:
    """One page of results for ``query`` from every source, best first.

    A source that fails is left out and named in ``unavailable_sources``; when nothing is
    found on the first page, ``suggestions`` says what else to try.
    """
    query = replace(query, today=query.day)
    collected = await _collect(query, sources)
    end = query.offset + query.page_size
    results = tuple(collected.results[query.offset : end])
    suggestions = None
    if not results and query.offset == 0:
        suggestions = await suggest(query, sources)
    return SearchPage(
        query=query,
        results=results,
        next_offset=end if len(collected.results) > end else None,
        unavailable_sources=tuple(collected.unavailable),
        suggestions=suggestions,
    )


async def _collect(query: SearchQuery, sources: Sequence[VacancySource]) -> _Collected:
    if query.other_place_ids and query.place_id is not None:
        return await _collect_around_each(query, sources)
    answers = await asyncio.gather(
        *(source.search(query) for source in sources), return_exceptions=True
    )
    collected = _Collected()
    candidates: list[Vacancy] = []
    for source, answer in zip(sources, answers, strict=True):
        if isinstance(answer, SourceUnavailable):
            log.warning("vacancy source %s left out: %s", answer.source, answer.reason)
            collected.unavailable.append(source.name)
        elif isinstance(answer, BaseException):
            raise answer
        else:
            candidates.extend(answer)
    collected.results = rank(candidates, query)
    return collected


async def _collect_around_each(query: SearchQuery, sources: Sequence[VacancySource]) -> _Collected:
    """Two towns in one request ("à Lille ou Tournai"): each town's search, merged.

    Each source is asked about one place at a time, as it always is; an offer found around
    both towns is kept once, at its distance from the nearer one.
    """
    places = (str(query.place_id), *(p for p in query.other_place_ids if p != query.place_id))
    parts = await asyncio.gather(
        *(_collect(replace(query, place_id=p, other_place_ids=()), sources) for p in places)
    )
    nearest: dict[tuple[str, ...], SearchResult] = {}
    unavailable: list[str] = []
    for part in parts:
        unavailable += [name for name in part.unavailable if name not in unavailable]
        for result in part.results:
            key = result.vacancy.key
            kept = nearest.get(key)
            if kept is None or _distance_then_date(result) < _distance_then_date(kept):
                nearest[key] = result
    return _Collected(_ordered(list(nearest.values())), unavailable)


def rank(vacancies: Sequence[Vacancy], query: SearchQuery) -> list[SearchResult]:
    """The vacancies that match ``query``, nearest then newest first.

    An offer that two sources publish (the same official id, or the same title, employer
    and town once normalised) is kept once, from the first source that gave it; one
    source's own offers are never merged (an employer may well look for two welders).
    """
    origin = query.origin
    results: list[SearchResult] = []
    seen: set[tuple[str, str]] = set()
    published_by: dict[tuple[str, ...], str] = {}
    for vacancy in vacancies:
        distance = _distance(origin, vacancy)
        if vacancy.key in seen or not matches(vacancy, query, distance):
            continue
        firsts = [published_by.setdefault(k, vacancy.source) for k in same_offer_keys(vacancy)]
        if any(first != vacancy.source for first in firsts):
            continue
        seen.add(vacancy.key)
        results.append(SearchResult(vacancy, distance))
    return _ordered(results)


def matches(vacancy: Vacancy, query: SearchQuery, distance: float | None) -> bool:
    """True when ``vacancy`` answers ``query`` (occupation, area, radius, contract, still open)."""
    if query.occupation_ids and vacancy.occupation_id not in query.occupation_ids:
        return False
    if query.contract_types and vacancy.contract_type not in query.contract_types:
        return False
    if not vacancy.is_open(query.day):
        return False
    if query.area is not None and not query.area.allows(vacancy.place_id):
        return False
    if query.origin is not None and query.radius_km is not None:
        return distance is not None and distance <= query.radius_km
    return True


def _distance(origin: Place | None, vacancy: Vacancy) -> float | None:
    if origin is None or vacancy.lat is None or vacancy.lon is None:
        return None
    return gazetteer.distance_km(origin.lat, origin.lon, vacancy.lat, vacancy.lon)


def same_offer_keys(vacancy: Vacancy) -> list[tuple[str, ...]]:
    """What makes two sources' offers the same job: the official id when the source gives
    it; else title, employer and town, folded, without gender marks ("(H/F)", "(m/v/x)")
    and punctuation."""
    where = vacancy.place_id or _normalised(vacancy.town)
    keys: list[tuple[str, ...]] = [
        ("text", _normalised(vacancy.title), _normalised(vacancy.employer), where)
    ]
    if vacancy.official_id:
        keys.insert(0, ("official", vacancy.official_id))
    return keys


_GENDER_MARK = re.compile(r"\((?:[hfmvx]\s*/\s*)+[hfmvx]\)")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=65_536)
def _normalised(text: str) -> str:
    """Titles, employers and towns repeat across offers and searches (the job alerts' round
    ranks the same offers for thousands of alerts): folded once each."""
    folded = _GENDER_MARK.sub(" ", fold(text)).replace(".", "")  # "N.V." is "NV"
    return _NOT_WORD.sub(" ", folded).strip()


def _ordered(results: list[SearchResult]) -> list[SearchResult]:
    """Nearest first, then newest, then the highest source id: the order of the store's
    indexes, so that the store's best candidates are the service's best (two stable sorts)."""
    results = sorted(results, key=lambda r: (r.vacancy.source_id, r.vacancy.source), reverse=True)
    return sorted(results, key=_distance_then_date)


def _distance_then_date(result: SearchResult) -> tuple[float, int]:
    distance = math.inf if result.distance_km is None else round(result.distance_km, 3)
    return (distance, -result.vacancy.posted_on.toordinal())


async def suggest(query: SearchQuery, sources: Sequence[VacancySource]) -> Suggestions:
    """A wider radius that finds something, related occupations, the official job sites."""
    wider, related = await asyncio.gather(_wider_radius(query, sources), _related(query, sources))
    return Suggestions(wider_radius_km=wider, related=related, job_sites=job_sites_for(query))


async def _wider_radius(query: SearchQuery, sources: Sequence[VacancySource]) -> int | None:
    if query.origin is None or query.radius_km is None:
        return None
    anywhere = replace(query, radius_km=None, offset=0, page_size=1)
    nearest = (await _collect(anywhere, sources)).results
    if not nearest or nearest[0].distance_km is None:
        return None
    return max(int(math.ceil(nearest[0].distance_km / 10.0)) * 10, int(query.radius_km) + 10)


async def _related(
    query: SearchQuery, sources: Sequence[VacancySource]
) -> tuple[RelatedOccupation, ...]:
    related: list[Occupation] = []
    for occupation_id in query.occupation_ids:
        for candidate in gazetteer.related_occupations(occupation_id):
            if candidate.id not in query.occupation_ids and candidate not in related:
                related.append(candidate)
    if not related:
        return ()
    wide = replace(
        query, occupation_ids=tuple(o.id for o in related), offset=0, limit=RELATED_WINDOW
    )
    found = [r.vacancy.occupation_id for r in (await _collect(wide, sources)).results]
    counts = {o.id: found.count(o.id) for o in related}
    ordered = sorted(related, key=lambda o: -counts[o.id])  # stable: ISCO closeness otherwise
    return tuple(RelatedOccupation(o, counts[o.id]) for o in ordered[:RELATED_LIMIT])


def job_sites_for(query: SearchQuery) -> tuple[JobSite, ...]:
    """The official job boards, the one of the searched region first, EURES last."""
    origin = query.origin
    order = ["vdab", "forem", "francetravail"]
    if origin is not None and origin.country == "FR":
        order = ["francetravail", "vdab", "forem"]
    elif origin is not None and origin.region == "Wallonie":
        order = ["forem", "vdab", "francetravail"]
    return tuple(JOB_SITES[name] for name in [*order, "eures"])
