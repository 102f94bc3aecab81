"""The rules of the vacancy search dialogue: what an answer means, and which search to run.

The search form asks for an occupation and a place. An answer may come as entities of the
gazetteer extractor (``occupation`` / ``location`` with gazetteer ids, ``alternatives`` for an
ambiguous name), as a button payload (an id), or as the raw text of the message when the
extractor found nothing. Whatever the form, :func:`read_place` and :func:`read_occupation`
say what it gives:

- a value: a gazetteer id, or :data:`ANY` ("partout", "maakt niet uit", "n'importe quel
  métier");
- options to choose from: "Lens", "Komen" or "Mons" name more than one place;
- an unknown name, with near names to suggest ("Ipres" → Ypres);
- nothing: the message is about something else (the form asks again, without counting a
  failure).

:func:`build_query` turns the slots into a :class:`bot.vacancies.SearchQuery`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from rapidfuzz import fuzz, process

from bot import gazetteer
from bot.gazetteer import ANYWHERE, parse_radius
from bot.text import fold
from bot.vacancies.areas import Area
from bot.vacancies.model import CONTRACT_TYPES, DEFAULT_PAGE_SIZE, DEFAULT_RADIUS_KM, SearchQuery

ANY = "any"  # slot value: any occupation, or anywhere
OCCUPATION = "occupation"
LOCATION = "location"
RADIUS = "radius_km"
CONTRACT = "contract_type"
SEARCH_ENTITIES = (OCCUPATION, LOCATION, RADIUS, CONTRACT)

MAX_FAILURES = 3  # unknown answers in a row before a consultant is offered
SUGGESTION_CUTOFF = 75  # rapidfuzz ratio of a near name worth suggesting
MAX_SUGGESTIONS = 3
SUGGESTION_MIN_LENGTH = 5  # shorter unknown answers get a hint, not guesses
WIDER_RADII_KM = (10, 20, 30, 50, 75, 100, 150)

# Answers that mean "it does not matter" (folded: no accents, lower case).
_INDIFFERENT = (
    r"peu importe|n ?importe|pas d importance|c est pareil|ca m est egal|egal|"
    r"je m en fiche|m en fous|whatever|"
    r"maakt (?:me |mij )?(?:niet|nie|ni) uit|om het even|gelijk (?:wat|waar|welk|welke)|"
    r"eender (?:wat|waar|welk|welke)|kan me niet schelen|boeit (?:niet|nie)|egaal|maakt niks uit"
)
_ANYWHERE = re.compile(
    rf"\b(?:{_INDIFFERENT}|partout|n importe ou|toute la (?:zone|region)|"
    r"des deux cotes|overal|heel de (?:streek|regio)|de hele (?:streek|regio)|"
    r"aan beide kanten)\b"
)
_ANY_OCCUPATION = re.compile(
    rf"\b(?:{_INDIFFERENT}|tout|toutes? les offres|tous les (?:metiers|postes|jobs)|"
    r"n importe quel (?:metier|poste|job|boulot|travail)|n importe quoi|"
    r"alles|alle (?:beroepen|jobs|vacatures)|elk beroep|eender welke job|om het even wat)\b"
)
_WORD = re.compile(r"[^\W_]+")
_BRACKETS = re.compile(r"\s*\([^)]*\)")
_ORDINALS = {
    0: frozenset("1 premier premiere 1er 1re eerste eerst".split()),
    1: frozenset("2 deuxieme second seconde 2e 2eme tweede".split()),
    2: frozenset("3 troisieme 3e 3eme derde".split()),
}


@dataclass(frozen=True)
class Answer:
    """What one answer gives; at most one of ``value``, ``options`` and ``unknown`` is set."""

    value: str | None = None  # a gazetteer id or ANY
    options: tuple[str, ...] = ()  # ids of the places an ambiguous name may mean
    unknown: str | None = None  # the text that names nothing known
    suggestions: tuple[str, ...] = ()  # ids of near names, for an unknown answer

    @property
    def is_empty(self) -> bool:
        return self.value is None and not self.options and self.unknown is None


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _plain(text: str) -> str:
    return " ".join(_words(text))


def is_anywhere(text: str) -> bool:
    """True when an answer to "where?" says the place does not matter."""
    return parse_radius(text) == ANYWHERE or bool(_ANYWHERE.search(_plain(text)))


def is_any_occupation(text: str) -> bool:
    """True when an answer to "which job?" says the occupation does not matter."""
    return bool(_ANY_OCCUPATION.search(_plain(text)))


def _mentions(entities: Sequence[Mapping[str, Any]], kind: str) -> list[Mapping[str, Any]]:
    return [e for e in entities if e.get("entity") == kind]


def _other_search_entities(entities: Sequence[Mapping[str, Any]], kind: str) -> bool:
    return any(e.get("entity") in SEARCH_ENTITIES and e.get("entity") != kind for e in entities)


def read_place(
    value: object,
    text: str,
    entities: Sequence[Mapping[str, Any]],
    language: str | None,
    pending: Sequence[str] = (),
    request: bool = False,
) -> Answer:
    """What an answer to "where?" gives (see the module docstring).

    Args:
        value: the candidate value of the ``location`` slot: an id from an entity, a button
            or an earlier turn, or the raw text of the answer.
        text: the text of the latest message.
        entities: the entities of the latest message.
        language: the conversation's language, to prefer its names.
        pending: the places offered after an ambiguous name: "la belge", "Frankrijk",
            "Pas-de-Calais" or "le deuxième" choose among them.
        request: the message is a new search request ("ik zoek werk"), not an answer: a
            text that names no place is then not an unknown place.
    """
    # "Pas-de-Calais" after "which Lens?" is a choice, not Calais; a button is never a choice.
    chosen = choose_place(pending, text) if pending and not text.startswith("/") else None
    if chosen:
        return Answer(value=chosen)
    mentioned = _mentions(entities, LOCATION)
    last = mentioned[-1] if mentioned else None
    place_id = str(last.get("value")) if last else ""
    others = [str(a) for a in (last or {}).get("alternatives") or () if gazetteer.place(str(a))]
    if gazetteer.place(place_id) and not others:  # a clear name, or a button
        return Answer(value=place_id)
    if gazetteer.place(place_id):
        return Answer(options=(place_id, *others))
    if value is None:
        return Answer()
    answer = str(value)
    if answer == ANY or gazetteer.place(answer):
        return Answer(value=answer)
    if is_anywhere(answer):
        return Answer(value=ANY)
    match = gazetteer.resolve_place(answer, language)
    if match is not None and match.alternatives:
        return Answer(options=(match.item.id, *(p.id for p in match.alternatives)))
    if match is not None:
        return Answer(value=match.item.id)
    if request or _other_search_entities(entities, LOCATION) or not _words(answer):
        return Answer()
    return Answer(unknown=answer.strip(), suggestions=place_suggestions(answer))


def read_occupation(
    value: object,
    entities: Sequence[Mapping[str, Any]],
    language: str | None,
    request: bool = False,
) -> Answer:
    """What an answer to "which job?" gives: an occupation id, ANY, an unknown name or nothing
    (see :func:`read_place` for the arguments)."""
    mentioned = _mentions(entities, OCCUPATION)
    if mentioned and gazetteer.occupation(str(mentioned[-1].get("value"))):
        return Answer(value=str(mentioned[-1].get("value")))
    if value is None:
        return Answer()
    answer = str(value)
    if answer == ANY or gazetteer.occupation(answer) or is_any_occupation(answer):
        return Answer(value=answer if answer != ANY and gazetteer.occupation(answer) else ANY)
    match = gazetteer.resolve_occupation(answer, language)
    if match is not None:
        return Answer(value=match.item.id)
    if request or _other_search_entities(entities, OCCUPATION) or not _words(answer):
        return Answer()
    return Answer(unknown=answer.strip(), suggestions=occupation_suggestions(answer))


def written_place(
    text: str, entities: Sequence[Mapping[str, Any]], options: Sequence[str]
) -> str | None:
    """How the candidate wrote the ambiguous name ("Komen", "lens"), to ask which one they
    meant in their words; None when the latest message is not that answer (a greeting in
    the middle of the form)."""
    spans = [e for e in _mentions(entities, LOCATION) if "start" in e and e.get("value") in options]
    if spans:
        written = text[int(spans[-1]["start"]) : int(spans[-1]["end"])]
    else:  # the whole answer is the name ("komen"), as the extractor ignores everyday words
        names = {_plain(_BRACKETS.sub("", n)) for o in options for n in _names_of(o)}
        written = text.strip(" ?!.") if _plain(text) in names else ""
    return written[:1].upper() + written[1:] if written else None


def choose_place(options: Sequence[str], text: str) -> str | None:
    """The one option an answer points to by rank ("le deuxième"), or by a word only that
    option has: its country, province, region or full name ("la belge", "Pas-de-Calais",
    "Mons-en-Barœul"); else None."""
    words = set(_words(text))
    for rank, ordinals in _ORDINALS.items():
        if rank < len(options) and words & ordinals:
            return options[rank]
    own = {option: _place_words(option) for option in options}
    shared = frozenset.intersection(*own.values()) if own else frozenset()
    hits = [option for option, found in own.items() if words & (found - shared)]
    return hits[0] if len(hits) == 1 else None


_COUNTRY_WORDS = {
    "FR": frozenset("france francais francaise frankrijk frans franse".split()),
    "BE": frozenset("belgique belge belgie belgisch belgische".split()),
}
_REGION_WORDS = {
    "Hauts-de-France": frozenset("hauts nord".split()),
    "Wallonie": frozenset("wallonie wallon wallonne wallonie waals waalse".split()),
    "Vlaanderen": frozenset("flandre flamand flamande vlaanderen vlaams vlaamse".split()),
    "Bruxelles": frozenset("bruxelles brussel".split()),
}
_NOT_DISTINCTIVE = frozenset("de la le les en sur du van het".split())


def _names_of(place_id: str) -> tuple[str, ...]:
    place = gazetteer.place(place_id)
    return place.names if place else ()


@cache
def _place_words(place_id: str) -> frozenset[str]:
    place = gazetteer.place(place_id)
    if place is None:
        return frozenset()
    names = [place.subdivision, *subdivision_names(place.subdivision)]
    words = {w for name in names for w in _words(name)}
    words |= _COUNTRY_WORDS.get(place.country, frozenset())
    words |= _REGION_WORDS.get(place.region, frozenset())
    words |= {w for name in place.names for w in _words(_BRACKETS.sub("", name))}
    return frozenset(words - _NOT_DISTINCTIVE)


def subdivision_key(subdivision: str) -> str:
    """The catalog key of a département or province ("Pas-de-Calais" → "pas_de_calais")."""
    return "_".join(_words(subdivision))


def subdivision_names(subdivision: str) -> tuple[str, ...]:
    """The French and Dutch names of a département or province (from the catalogs)."""
    from bot.messages import has_text, text

    key = f"vacancies.subdivision.{subdivision_key(subdivision)}"
    return tuple(text(lang, key) for lang in ("fr", "nl") if has_text(lang, key))


@cache
def _place_names() -> dict[str, str]:
    """Every folded place name (both languages and aliases) and its place id."""
    names: dict[str, str] = {}
    for place in gazetteer.places():
        for name in place.names:
            names.setdefault(_plain(_BRACKETS.sub("", name)), place.id)
    return names


@cache
def _occupation_names() -> dict[str, str]:
    """Every folded occupation label and synonym (both languages) and its occupation id."""
    names: dict[str, str] = {}
    for occupation in gazetteer.occupations():
        labels = [*occupation.label_fr.split("/"), *occupation.label_nl.split("/")]
        for name in [*labels, *occupation.synonyms_fr, *occupation.synonyms_nl]:
            names.setdefault(_plain(_BRACKETS.sub("", name)), occupation.id)
    return names


def _near(query: str, names: Mapping[str, str]) -> list[str]:
    found = process.extract(
        query, list(names), scorer=fuzz.ratio, score_cutoff=SUGGESTION_CUTOFF, limit=10
    )
    return _unique(names[name] for name, _score, _index in found)


def _unique(ids: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for item in ids:
        if item not in seen:
            seen.append(item)
    return seen


def place_suggestions(text: str) -> tuple[str, ...]:
    """Places whose name is close to an unknown answer ("Ipres" → Ieper), best first."""
    query = _plain(text)
    if len(query) < SUGGESTION_MIN_LENGTH:
        return ()
    return tuple(_near(query, _place_names())[:MAX_SUGGESTIONS])


def occupation_suggestions(text: str) -> tuple[str, ...]:
    """Occupations an unknown answer may mean: names containing its words ("ingénieur" →
    the engineering jobs), words starting like it ("informaticien" → "informatique"), then
    near names ("boulengier" → boulanger)."""
    words = [w for w in _words(text) if len(w) >= 4]
    if not words:
        return ()
    names = _occupation_names()
    stems = [w[:6] for w in words if len(w) >= 6]
    containing = [
        occupation_id
        for name, occupation_id in names.items()
        if all(w in name.split() for w in words)
        or any(n.startswith(s) for s in stems for n in name.split())
    ]
    ranked = _unique([*containing, *_near(" ".join(words), names)])
    return tuple(ranked[: MAX_SUGGESTIONS + 1])


def slots_to_reset(entities: Sequence[Mapping[str, Any]]) -> list[str]:
    """The search slots a new request clears: those it does not mention.

    "ik zoek werk" after a search starts again from nothing; "je cherche un poste de
    soudeur" keeps no place from the previous search, so the form asks for it.
    """
    mentioned = {e.get("entity") for e in entities}
    return [slot for slot in SEARCH_ENTITIES if slot not in mentioned]


def anywhere_asked(entities: Sequence[Mapping[str, Any]]) -> bool:
    """True when a message says "anywhere" and names no place ("des jobs de cariste partout",
    "lasser, maakt niet uit waar"): the place question need not be asked."""
    return not _mentions(entities, LOCATION) and any(
        e.get("value") == ANYWHERE for e in _mentions(entities, RADIUS)
    )


def radius_km(value: object, location: object) -> float | None:
    """The search radius around a known place: the one asked for, else the default; None
    means anywhere (no place, "partout", or "any" as the radius)."""
    if location is None or gazetteer.place(str(location)) is None or value == ANY:
        return None
    if value is None:
        return DEFAULT_RADIUS_KM
    try:
        asked = float(str(value))
    except ValueError:
        return DEFAULT_RADIUS_KM
    return asked if asked > 0 else DEFAULT_RADIUS_KM


def occupations_named(entities: Sequence[Mapping[str, Any]]) -> list[str]:
    """The gazetteer ids of every occupation a message names, in order, each once."""
    named: list[str] = []
    for entity in _mentions(entities, OCCUPATION):
        value = str(entity.get("value") or "")
        if gazetteer.occupation(value) and value not in named:
            named.append(value)
    return named


def places_named(entities: Sequence[Mapping[str, Any]]) -> list[str]:
    """The gazetteer ids of every place a message names, in order, each once."""
    named: list[str] = []
    for entity in _mentions(entities, LOCATION):
        value = str(entity.get("value") or "")
        if gazetteer.place(value) and value not in named:
            named.append(value)
    return named


def build_query(
    occupation: object,
    location: object,
    radius: object = None,
    contract: object = None,
    offset: int = 0,
    page_size: int = DEFAULT_PAGE_SIZE,
    area: object = None,
    occupations: object = None,
    places: object = None,
) -> SearchQuery:
    """The search the slots describe; ANY (or an unknown id) means any occupation, anywhere.

    ``area`` (the slot's text, :class:`bot.vacancies.areas.Area`) limits the search to a
    country or region, ranked by distance from the candidate's place without a radius, or
    excludes one. ``occupations`` (a list of ids) are searched together with ``occupation``
    ("vendeur ou magasinier"), ``places`` (a list of ids) with ``location`` ("à Lille ou
    Tournai"), each within the radius.
    """
    occupation_id = str(occupation) if occupation is not None else ""
    place_id = str(location) if location is not None else ""
    limit = Area.from_slot(area)
    ids = [occupation_id] if gazetteer.occupation(occupation_id) else []
    if ids and isinstance(occupations, (list, tuple)) and occupation_id in occupations:
        ids += [str(o) for o in occupations if o not in ids and gazetteer.occupation(str(o))]
    radius = None if limit is not None and not limit.excluded else radius_km(radius, location)
    others: tuple[str, ...] = ()
    if place_id and isinstance(places, (list, tuple)) and place_id in places:
        named = [str(p) for p in places if gazetteer.place(str(p))]
        place_id, others = named[0], tuple(named[1:])  # in the order the candidate named them
    return SearchQuery(
        occupation_ids=tuple(ids),
        place_id=place_id if gazetteer.place(place_id) else None,
        radius_km=radius,
        contract_types=(str(contract),) if contract in CONTRACT_TYPES else (),
        offset=max(0, offset),
        page_size=page_size,
        area=limit,
        other_place_ids=others if gazetteer.place(place_id) else (),
    )


def wider_radius(query: SearchQuery) -> int | None:
    """The next radius to offer after a page of results, or None (already anywhere or wide)."""
    if query.place_id is None or query.radius_km is None:
        return None
    wider = [r for r in WIDER_RADII_KM if r > query.radius_km]
    return wider[0] if wider else None
