"""Builders for vacancy tests: keyword defaults, unique ids, small fake sources."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bot import gazetteer
from bot.errors import SourceUnavailable
from bot.vacancies.model import SearchQuery, Vacancy

TODAY = date(2026, 11, 25)
_numbers = itertools.count(1)


def make_vacancy(**overrides: Any) -> Vacancy:
    """A Dutch welder offer in Kortrijk, posted yesterday, open for a month."""
    place = gazetteer.place(overrides.get("place_id", "be-kortrijk"))
    values: dict[str, Any] = {
        "source": "test",
        "source_id": f"v{next(_numbers):05d}",
        "title": "Lasser (m/v/x)",
        "employer": "Metaalwerken Testbedrijf NV (fictief)",
        "language": "nl",
        "occupation_id": "welder",
        "isco08": "7212",
        "place_id": place.id if place else None,
        "town": place.name_fr if place else "Ailleurs",
        "lat": place.lat if place else None,
        "lon": place.lon if place else None,
        "country": place.country if place else None,
        "contract_type": "permanent",
        "working_time": "full",
        "required_languages": ("nl",),
        "url": "https://example.org/vacancies/1",
        "posted_on": TODAY - timedelta(days=1),
        "expires_on": TODAY + timedelta(days=30),
        "description": "",
        "demo": False,
    }
    values.update(overrides)
    if "occupation_id" in overrides and "isco08" not in overrides:
        found = gazetteer.occupation(overrides["occupation_id"])
        values["isco08"] = found.isco08 if found else None
    return Vacancy(**values)


def feed_row(**overrides: Any) -> dict[str, Any]:
    """One row of an import feed (JSON object)."""
    row: dict[str, Any] = {
        "id": f"row-{next(_numbers):05d}",
        "title": "Lasser (m/v/x)",
        "employer": "Metaalwerken Testbedrijf NV (fictief)",
        "place": "Kortrijk",
        "occupation": "lasser",
        "language": "nl",
        "contract_type": "permanent",
        "working_time": "full",
        "required_languages": ["nl"],
        "url": "https://example.org/vacancies/1",
        "posted": "2026-11-20",
        "expires": "2026-12-31",
    }
    row.update(overrides)
    return {k: v for k, v in row.items() if v is not None}


@dataclass
class ListSource:
    """A source that answers from a list (the search service filters and ranks)."""

    vacancies: list[Vacancy]
    name: str = "list"
    queries: list[SearchQuery] = field(default_factory=list)

    async def search(self, query: SearchQuery) -> list[Vacancy]:
        self.queries.append(query)
        return list(self.vacancies)


@dataclass
class DownSource:
    """A source that never answers."""

    name: str = "down"

    async def search(self, query: SearchQuery) -> list[Vacancy]:
        raise SourceUnavailable(self.name, "test outage")
