"""Places and occupations read once from the package's CSV files (bot/resources)."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

from bot.text import fold

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Place:
    """A town or municipality with its French and Dutch names and the coordinates of its centre.

    ``name_fr`` and ``name_nl`` are the names answers use: the official name, or an exonym
    only where it is in common use today (Rijsel, Duinkerke, Bergen, Doornik, Luik; Courtrai,
    Ypres, Furnes), with its source in ``exonym_source``. Older or rare exonyms ("Toerkonje",
    "Valencijn", "Thourout") and misspellings are ``aliases``: still read, never written.
    """

    id: str
    name_fr: str
    name_nl: str
    country: str  # "FR" or "BE"
    region: str  # Hauts-de-France, Vlaanderen, Wallonie, Bruxelles
    subdivision: str  # département or province
    postcode: str
    lat: float
    lon: float
    aliases: tuple[str, ...] = ()
    exonym_source: str | None = None
    # The official code of the municipality, where known: INSEE's code officiel géographique
    # in France (59350 Lille), Statbel's REFNIS (NIS) code in Belgium (34022 Kortrijk).
    code: str | None = None

    def name(self, language: str | None) -> str:
        """The name a speaker of ``language`` uses: Courtrai in French, Kortrijk in Dutch."""
        return self.name_nl if language == "nl" else self.name_fr

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name_fr, self.name_nl, *self.aliases)

    def folded_names(self) -> frozenset[str]:
        """Every name and alias, folded, hyphens as spaces ("courtrai", "kortrijk", "kortrik")."""
        return frozenset(fold(n).replace("-", " ") for n in self.names if n)


@dataclass(frozen=True)
class Occupation:
    """An occupation with French and Dutch labels, synonyms and codes.

    Labels give the masculine and feminine forms ("Soudeur / Soudeuse"); ``isco08`` is the
    closest ISCO-08 unit group, ``rome`` the France Travail ROME code when known.
    """

    id: str
    isco08: str
    rome: str | None
    label_fr: str
    label_nl: str
    synonyms_fr: tuple[str, ...] = ()
    synonyms_nl: tuple[str, ...] = ()
    shortage: bool = False

    def label(self, language: str | None) -> str:
        return self.label_nl if language == "nl" else self.label_fr

    @property
    def isco_minor_group(self) -> str:
        """The ISCO-08 minor group (first three digits): 721 = sheet and structural metal."""
        return self.isco08[:3]


def _rows(name: str) -> list[dict[str, str]]:
    with resources.files("bot.resources").joinpath(name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split("|") if part.strip())


@cache
def places() -> tuple[Place, ...]:
    """Every place of bot/resources/places.csv, in file order."""
    return tuple(
        Place(
            id=row["id"],
            name_fr=row["name_fr"],
            name_nl=row["name_nl"] or row["name_fr"],
            country=row["country"],
            region=row["region"],
            subdivision=row["subdivision"],
            postcode=row["postcode"],
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            aliases=_split(row["aliases"]),
            exonym_source=row.get("exonym_source") or None,
            code=row.get("code") or None,
        )
        for row in _rows("places.csv")
    )


@cache
def occupations() -> tuple[Occupation, ...]:
    """Every occupation of bot/resources/occupations.csv, in file order."""
    return tuple(
        Occupation(
            id=row["id"],
            isco08=row["isco08"],
            rome=row["rome"] or None,
            label_fr=row["label_fr"],
            label_nl=row["label_nl"],
            synonyms_fr=_split(row["synonyms_fr"]),
            synonyms_nl=_split(row["synonyms_nl"]),
            shortage=row["shortage"] == "yes",
        )
        for row in _rows("occupations.csv")
    )


@cache
def _places_by_id() -> dict[str, Place]:
    return {p.id: p for p in places()}


@cache
def _occupations_by_id() -> dict[str, Occupation]:
    return {o.id: o for o in occupations()}


@cache
def _places_by_code() -> dict[tuple[str, str], Place]:
    return {(p.country, p.code): p for p in places() if p.code}


def place_by_code(country: str, code: str) -> Place | None:
    """The place with this official code: ``("FR", "59350")`` (INSEE) is Lille,
    ``("BE", "34022")`` (NIS) is Kortrijk; None when the code is not in the gazetteer."""
    return _places_by_code().get((country, code))


def place(place_id: str | None) -> Place | None:
    """The place with this gazetteer id ("be-kortrijk"), or None."""
    return _places_by_id().get(place_id or "")


def occupation(occupation_id: str) -> Occupation | None:
    """The occupation with this gazetteer id ("welder"), or None."""
    return _occupations_by_id().get(occupation_id)


def related_occupations(occupation_id: str, limit: int = 5) -> list[Occupation]:
    """Other occupations of the same ISCO-08 unit group first, then of the same minor group.

    Used to suggest neighbouring jobs when a search finds nothing (a welder may look at
    boilermaker or steel erector offers).
    """
    this = occupation(occupation_id)
    if this is None:
        return []
    others = [o for o in occupations() if o.id != this.id]
    same_unit = [o for o in others if o.isco08 == this.isco08]
    same_minor = [
        o for o in others if o.isco08 != this.isco08 and o.isco_minor_group == this.isco_minor_group
    ]
    return (same_unit + same_minor)[:limit]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (haversine formula)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
