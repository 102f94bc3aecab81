"""A country or region a search is limited to: "in Frankrijk", "que en Belgique", "pas en France".

:func:`area_of` reads the area a message names: a country (``FR``, ``BE``), a region of the
gazetteer (Vlaanderen, Wallonie, Hauts-de-France) or a province or département (Nord,
Pas-de-Calais, West-Vlaanderen, Hainaut...), or the other side of the border ("de l'autre
côté de la frontière", "over de grens": the country where the candidate does not live). A
negation ("pas en France", "niet in Frankrijk", "sauf en Belgique") excludes the area instead.

An :class:`Area` is kept in a slot as text (:meth:`Area.as_slot`, :meth:`Area.from_slot`) and
filters a search by the gazetteer places it contains (:meth:`Area.place_ids`): an offer whose
place is unknown is left out of an area and kept when one is excluded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot import gazetteer
from bot.text import fold

COUNTRY = "country"
REGION = "region"
SUBDIVISION = "subdivision"
KINDS = (COUNTRY, REGION, SUBDIVISION)

# (kind, value as in places.csv, folded patterns), most precise first: "Flandre-Occidentale"
# before "Flandre", "Nord" only as "dans le Nord" / "het Noorderdepartement".
_AREAS: tuple[tuple[str, str, str], ...] = (
    (SUBDIVISION, "West-Vlaanderen", r"west vlaanderen|flandre occidentale|westhoek"),
    (SUBDIVISION, "Oost-Vlaanderen", r"oost vlaanderen|flandre orientale"),
    (SUBDIVISION, "Hainaut", r"hainaut|henegouwen"),
    (SUBDIVISION, "Brabant wallon", r"brabant wallon|waals brabant"),
    (SUBDIVISION, "Pas-de-Calais", r"pas de calais"),
    (
        SUBDIVISION,
        "Nord",
        r"(?:dans|pour|vers) le nord(?! de)|(?:departement|dept) (?:du )?nord|"
        r"(?:het )?departement nord",
    ),
    (REGION, "Hauts-de-France", r"hauts de france|nord de la france|noord frankrijk|nordpas"),
    (REGION, "Vlaanderen", r"flandres?|vlaanderen|cote flamand|vlaamse kant"),
    (REGION, "Wallonie", r"wallonie|wallonia|cote wallon|waalse kant"),
    (COUNTRY, "FR", r"france|frankrijk|cote francais|franse kant"),
    (COUNTRY, "BE", r"belgique|belgie|belgium|cote belge|belgische kant"),
)
_OTHER_SIDE = r"(?:l )?autre cote(?: de la frontiere)?|over de grens|andere kant(?: van de grens)?"
_NEGATION = r"(?:pas|plus|jamais|sauf|hors|excepte|niet|nie|ni|geen|gin|behalve|buiten)"
# A negation up to three words before the area's name excludes it ("pas en France",
# "surtout pas dans le Nord", "niet in Frankrijk", "liever niet in Wallonië").
_BEFORE = r"(?:\w+ ){0,3}"
_WORD_BOUND = r"(?<![\w])({})(?![\w])"


@dataclass(frozen=True)
class Area:
    """A country, region or subdivision of the gazetteer; ``excluded`` for "not there"."""

    kind: str
    value: str
    excluded: bool = False

    def as_slot(self) -> str:
        """The slot's text: "country:FR", "-region:Vlaanderen"."""
        return f"{'-' if self.excluded else ''}{self.kind}:{self.value}"

    @classmethod
    def from_slot(cls, value: object) -> Area | None:
        """The area a slot holds; None when it holds none (or anything else)."""
        if not isinstance(value, str) or ":" not in value:
            return None
        excluded = value.startswith("-")
        kind, _, name = value.lstrip("-").partition(":")
        if kind not in KINDS or name not in _values(kind):
            return None
        return cls(kind, name, excluded)

    def place_ids(self) -> frozenset[str]:
        """The gazetteer places in the area (in the country, region or subdivision)."""
        return frozenset(p.id for p in gazetteer.places() if getattr(p, self.kind) == self.value)

    def allows(self, place_id: str | None) -> bool:
        """True when an offer at ``place_id`` is inside the area (outside, when excluded)."""
        inside = place_id is not None and place_id in self.place_ids()
        return not inside if self.excluded else inside


@cache
def _values(kind: str) -> frozenset[str]:
    return frozenset(str(getattr(p, kind)) for p in gazetteer.places())


@cache
def _compiled() -> tuple[tuple[str, str, re.Pattern[str], re.Pattern[str]], ...]:
    compiled = []
    for kind, value, names in _AREAS:
        name = _WORD_BOUND.format(names)
        negated = rf"(?<![\w]){_NEGATION} {_BEFORE}(?:{names})(?![\w])"
        compiled.append((kind, value, re.compile(name), re.compile(negated)))
    return tuple(compiled)


def _folded(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", fold(text)))


def area_of(text: str, home_country: str | None = None) -> Area | None:
    """The area ``text`` limits a search to, or None.

    Args:
        text: the candidate's message.
        home_country: ``FR`` or ``BE``, where the candidate lives, if known: "over de grens"
            is the other country; without it, the other side cannot be told and is ignored.
    """
    folded = _folded(text)
    for kind, value, name, negated in _compiled():
        if name.search(folded):
            return Area(kind, value, excluded=bool(negated.search(folded)))
    other_side = re.search(_WORD_BOUND.format(_OTHER_SIDE), folded)
    if other_side and home_country in ("FR", "BE"):
        return Area(COUNTRY, "BE" if home_country == "FR" else "FR")
    return None


# Words that make an area a limit on the search, not a statement about the candidate's life
# ("j'habite en France" is where they live; "que en France", "alleen in Frankrijk" a limit).
_LIMITING = (
    r"(?:que|qu|seulement|uniquement|juste|rien qu|pas|sauf|hors|excepte|alleen|enkel|"
    r"uitsluitend|maar|niet|nie|ni|geen|behalve|buiten|liefst|liever|plutot|surtout)"
)


def limits_a_search(text: str) -> bool:
    """True when ``text`` limits a search to an area, or excludes one: "alleen in Frankrijk",
    "que en Belgique", "pas en France", "over de grens", not "j'habite en France"."""
    folded = _folded(text)
    if re.search(_WORD_BOUND.format(_OTHER_SIDE), folded):
        return True
    for _kind, _value, name, _negated in _compiled():
        limited = rf"(?<![\w]){_LIMITING} {_BEFORE}(?:{name.pattern})"
        if name.search(folded) and re.search(limited, folded):
            return True
    return False


# Words around an area that say nothing more: "et en Belgique ?", "en in Frankrijk dan?".
_FOLLOW_UP_FILLERS = frozenset(
    """et en dans le la les l du de des a au aux alors plutot aussi sinon ou que seulement
    and in het dan ook of maar enkel alleen liever eens""".split()
)


def names_only_an_area(text: str) -> bool:
    """True for a follow-up that names an area and nothing else: "et en Belgique ?",
    "en in Frankrijk?", "pas en France alors" (after a search: the same search, limited)."""
    if area_of(text) is None:
        return False
    folded = _folded(text)
    for _kind, _value, name, _negated in _compiled():
        folded = name.sub(" ", folded)
    folded = re.sub(_WORD_BOUND.format(_OTHER_SIDE + "|" + _NEGATION), " ", folded)
    return all(word in _FOLLOW_UP_FILLERS for word in folded.split())
