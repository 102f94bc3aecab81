"""Place names of the gazetteer (bot/resources/places.csv) by id, in French and Dutch.

Sessions name their town by place id ("be-kortrijk"), so that a French speaker reads
"Courtrai" and a Dutch speaker "Kortrijk", and "celle de Courtrai" finds the Kortrijk session.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from bot.language import fold


@dataclass(frozen=True)
class Place:
    """One town of the gazetteer."""

    id: str
    name_fr: str
    name_nl: str
    country: str
    aliases: tuple[str, ...] = ()

    def name(self, language: str | None) -> str:
        """The town's name in ``language`` (French unless Dutch)."""
        return self.name_nl if language == "nl" else self.name_fr

    def folded_names(self) -> frozenset[str]:
        """Every name and alias, folded ("courtrai", "kortrijk", "kortrik")."""
        names = (self.name_fr, self.name_nl, *self.aliases)
        return frozenset(fold(n).replace("-", " ") for n in names if n)


@lru_cache(maxsize=1)
def places() -> dict[str, Place]:
    """Every place of the gazetteer by id, read once."""
    found: dict[str, Place] = {}
    path = resources.files("bot.resources").joinpath("places.csv")
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            aliases = tuple(a for a in row["aliases"].split("|") if a)
            found[row["id"]] = Place(
                row["id"], row["name_fr"], row["name_nl"], row["country"], aliases
            )
    return found


def place(place_id: str | None) -> Place | None:
    """The place with this id, or None (unknown id or none given)."""
    return places().get(place_id or "")
