"""One place or one occupation from a short text: a slot answer, a feed column, a code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic, TypeVar

from rapidfuzz import fuzz, process

from bot.gazetteer._choice import alternatives, choose
from bot.gazetteer._data import Occupation, Place, occupation, occupations, place
from bot.gazetteer._index import COMMON_WORD_NAMES, OCCUPATION, PLACE, index, singular
from bot.gazetteer._mentions import extract
from bot.gazetteer._text import key

T = TypeVar("T", Place, Occupation)

# Whole answers closer than this to a name (rapidfuzz ratio, 0-100) are that name: one
# missing or extra letter in a four-letter word ("Iepr"), one wrong letter in an
# eight-letter one ("Courtray"), not "Lens" for "Loos".
FUZZY_CUTOFF = 85
FUZZY_MIN_LENGTH = 4


_ROME = re.compile(r"^[A-N]\d{4}$")
_ISCO = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Match(Generic[T]):
    """What a text resolved to, how surely, and what else it could have meant."""

    item: T
    score: float  # 100 for a name, the rapidfuzz ratio for a near miss
    name: str  # the gazetteer name that matched
    alternatives: tuple[T, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return bool(self.alternatives)


def _place_match(words: tuple[str, ...], score: float, language: str | None) -> Match[Place]:
    ordered = choose(words, index().get(words, PLACE), language)
    chosen = place(ordered[0].id)
    assert chosen is not None, ordered[0]  # the index is built from the same places
    others = [p for p in map(place, alternatives(words, ordered)) if p is not None]
    return Match(chosen, score, ordered[0].name, tuple(others))


def _occupation_match(
    words: tuple[str, ...], score: float, language: str | None
) -> Match[Occupation]:
    ordered = choose(words, index().get(words, OCCUPATION), language)
    found = [o for o in (occupation(e.id) for e in ordered) if o is not None]
    return Match(found[0], score, ordered[0].name, tuple(found[1:]))


def _fuzzy(words: tuple[str, ...], kind: str) -> tuple[tuple[str, ...], float] | None:
    joined = " ".join(words)
    if len(joined) < FUZZY_MIN_LENGTH:
        return None
    best = process.extractOne(
        joined, index().names[kind], scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
    )
    if best is None:
        return None
    _name, score, words_of_name = best
    return tuple(words_of_name), float(score)


def resolve_place(text: str, language: str | None = None) -> Match[Place] | None:
    """The place ``text`` names: an id, a name in either language, an alias, a near miss.

    "Courtrai", "kortrijk", "Kortrik" and "be-kortrijk" are all Kortrijk. A longer text
    ("près de Courtrai") gives the first place it mentions.
    """
    by_id = place(text.strip().lower())
    if by_id is not None:
        return Match(by_id, 100.0, by_id.id)
    words = key(text)
    if not words:
        return None
    if index().get(words, PLACE):
        return _place_match(words, 100.0, language)
    near = _fuzzy(words, PLACE)
    if near is not None:
        return _place_match(near[0], near[1], language)
    return _first_place(text, language)


def place_names(text: str) -> tuple[str, ...]:
    """Every name of the places ``text`` is exactly a name of, in both languages.

    "Kortrijk" gives Kortrijk's names (Courtrai, Kortrijk and the aliases), "Mons" gives
    Mons and Bergen; a near miss, a sentence or a name that is also an everyday word ("Hal",
    "Luik") gives nothing: the console's search uses it to find a town written in the other
    language, where a wrong guess would find strangers.
    """
    words = key(text)
    if not words or " ".join(words) in COMMON_WORD_NAMES:
        return ()
    found = [place(e.id) for e in index().get(words, PLACE)]
    names = {name for p in found if p is not None for name in p.names if name}
    return tuple(sorted(names))


def resolve_occupation(text: str, language: str | None = None) -> Match[Occupation] | None:
    """The occupation ``text`` names, whatever the language, gender, plural or typo.

    Also accepts a gazetteer id ("welder"), a ROME code ("H2913") or an ISCO-08 unit group
    ("7212"); codes shared by several occupations give the first and the others as
    alternatives.
    """
    stripped = text.strip()
    by_code = _by_code(stripped)
    if by_code is not None:
        return by_code
    vocabulary = index().occupation_words
    words = tuple(singular(w, vocabulary) for w in key(stripped))
    if not words:
        return None
    if index().get(words, OCCUPATION):
        return _occupation_match(words, 100.0, language)
    near = _fuzzy(words, OCCUPATION)
    if near is not None:
        return _occupation_match(near[0], near[1], language)
    return _first_occupation(text, language)


def _by_code(text: str) -> Match[Occupation] | None:
    by_id = occupation(text.lower())
    if by_id is not None:
        return Match(by_id, 100.0, by_id.id)
    if _ROME.match(text.upper()):
        found = [o for o in occupations() if o.rome == text.upper()]
    elif _ISCO.match(text):
        found = [o for o in occupations() if o.isco08 == text]
    else:
        return None
    return Match(found[0], 100.0, text.upper(), tuple(found[1:])) if found else None


def _mentioned(text: str, language: str | None, kind: str) -> tuple[str, float, tuple[str, ...]]:
    for span in extract(text, language):
        if span.kind == kind:
            return str(span.value), span.score, span.alternatives
    return "", 0.0, ()


def _first_place(text: str, language: str | None) -> Match[Place] | None:
    found, score, others = _mentioned(text, language, PLACE)
    item = place(found)
    if item is None:
        return None
    return Match(item, score, item.name(language), tuple(p for p in map(place, others) if p))


def _first_occupation(text: str, language: str | None) -> Match[Occupation] | None:
    found, score, others = _mentioned(text, language, OCCUPATION)
    item = occupation(found)
    if item is None:
        return None
    alternatives = tuple(o for o in map(occupation, others) if o)
    return Match(item, score, item.label(language), alternatives)


def find_place(text: str, language: str | None = None) -> Place | None:
    """The place ``text`` names (see :func:`resolve_place`), or None."""
    match = resolve_place(text, language)
    return match.item if match else None


def find_occupation(text: str, language: str | None = None) -> Occupation | None:
    """The occupation ``text`` names (see :func:`resolve_occupation`), or None."""
    match = resolve_occupation(text, language)
    return match.item if match else None
