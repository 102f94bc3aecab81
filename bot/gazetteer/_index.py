"""The name index: every French, Dutch and alias name of every place and occupation.

Occupation labels are expanded into the forms people type: "Soudeur / Soudeuse" gives
soudeur and soudeuse; "Technicien / Technicienne de maintenance industrielle" gives both
forms with the shared complement; "Employé(e) administratif(ve)" gives the masculine and the
feminine; bracketed remarks ("(usineur)", "(BE)") are dropped from labels.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from bot.gazetteer._data import occupations, places
from bot.gazetteer._text import BRACKETS, key

PLACE, OCCUPATION = "place", "occupation"

# Names that are also everyday words in French or Dutch ("hem" = him, "komen" = to come,
# "lessen" = lessons, "la panne" = the breakdown, "avion" = plane). Looked up on their
# own (a slot answer) they are places; inside a message they count only after a word such
# as "à", "in", "près de", "naar" or when capitalised in mid-sentence.
COMMON_WORD_NAMES = frozenset(
    """hem hal pek gits komen lessen namen bergen bonen luik aarden lauwe loos belle croix
    avion celles celle albert fosses guise manage silly""".split()
) | {"le coq", "la panne", "la madeleine"}
# Occupation names that are everyday words ("mon chef", "centre commercial", "arts et
# métiers"): inside a message they need "comme", "en tant que", "als", "poste de"...
COMMON_WORD_OCCUPATIONS = frozenset(
    """chef commercial commerciale meester garcon crew prof dev arts engineer gardien
    representant operator planner trainer picker begeleider""".split()
)

_INFLECTION = re.compile(r"(\w+)\((e|le|ne|ve|ère|se)\)")
# How many final letters the feminine ending replaces: administratif(ve), conseiller(ère).
_REPLACED = {"ve": 1, "ère": 2}


@dataclass(frozen=True)
class Entry:
    """One name of one place or occupation in the index."""

    kind: str
    id: str
    name: str
    primary: bool  # official name or label, not an alias or synonym
    language: str | None  # "fr"/"nl" for names of one language, None for aliases of places

    @property
    def acronym(self) -> bool:
        """Short names written in capitals ("AS", "IDE", "LLN") must be typed in capitals."""
        return len(self.name) <= 4 and self.name.isupper()


def _feminine(match: re.Match[str]) -> str:
    word, ending = match.group(1), match.group(2)
    return word[: len(word) - _REPLACED.get(ending, 0)] + ending


def label_forms(label: str, language: str = "fr") -> list[str]:
    """The names a label stands for: each side of " / ", masculine and feminine.

    French labels share the complement ("Technicien / Technicienne de maintenance"); in Dutch
    labels the slash separates two names ("Bekabelaar / Elektrisch monteur").
    """
    forms: list[str] = []
    for inflected in (_INFLECTION.sub(r"\1", label), _INFLECTION.sub(_feminine, label)):
        for form in _sides(BRACKETS.sub("", inflected), language):
            if form not in forms:
                forms.append(form)
    return forms


def _sides(label: str, language: str) -> list[str]:
    parts = [p.strip() for p in label.split(" / ")]
    if len(parts) == 2 and language == "fr":
        left, right = parts
        right_words = right.split()
        if right_words[0][:1].islower():  # "Consultant en recrutement / en agence"
            return [left, f"{left.split()[0]} {right}"]
        if len(left.split()) == 1 and len(right_words) > 1:  # "Technicien / Technicienne de"
            return [" ".join([left, *right_words[1:]]), right]
    return parts


def _place_entries() -> Iterator[Entry]:
    for place in places():
        yield Entry(PLACE, place.id, place.name_fr, True, "fr")
        yield Entry(PLACE, place.id, place.name_nl, True, "nl")
        for alias in place.aliases:
            yield Entry(PLACE, place.id, alias, False, None)


def _occupation_entries() -> Iterator[Entry]:
    for occ in occupations():
        for language, label, synonyms in (
            ("fr", occ.label_fr, occ.synonyms_fr),
            ("nl", occ.label_nl, occ.synonyms_nl),
        ):
            for form in label_forms(label, language):
                yield Entry(OCCUPATION, occ.id, form, True, language)
            for synonym in synonyms:
                yield Entry(OCCUPATION, occ.id, synonym, False, language)


@dataclass(frozen=True)
class NameIndex:
    """Names by folded word tuple, and what fuzzy matching and plurals need."""

    entries: dict[tuple[str, ...], tuple[Entry, ...]]
    longest: int
    occupation_words: frozenset[str]

    def get(self, words: tuple[str, ...], kind: str) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries.get(words, ()) if e.kind == kind)

    fuzzy: dict[tuple[str, int], dict[tuple[str, ...], str]]
    names: dict[str, dict[tuple[str, ...], str]]

    def fuzzy_choices(self, kind: str, length: int) -> dict[tuple[str, ...], str]:
        """Names of ``length`` words that fuzzy matching may aim at (key -> joined words).

        rapidfuzz compares a query with the values of a dict and returns the key too.
        """
        return self.fuzzy.get((kind, length), {})


def _fuzzy(
    entries: dict[tuple[str, ...], tuple[Entry, ...]],
) -> dict[tuple[str, int], dict[tuple[str, ...], str]]:
    """Fuzzy targets: never everyday words, acronyms or names under five letters."""
    choices: dict[tuple[str, int], dict[tuple[str, ...], str]] = {}
    for words, found in entries.items():
        joined = " ".join(words)
        if len(joined) < 5 or joined in COMMON_WORD_NAMES | COMMON_WORD_OCCUPATIONS:
            continue
        for kind in {e.kind for e in found if not e.acronym}:
            choices.setdefault((kind, len(words)), {})[words] = joined
    return choices


@cache
def index() -> NameIndex:
    """The index of every name, built once."""
    found: dict[tuple[str, ...], list[Entry]] = {}
    for entry in (*_place_entries(), *_occupation_entries()):
        words = key(entry.name)
        if not words:
            continue
        bucket = found.setdefault(words, [])
        if not any(e.kind == entry.kind and e.id == entry.id for e in bucket):
            bucket.append(entry)
        elif entry.primary:  # keep the strongest reason a name belongs to an item
            bucket[:] = [entry if (e.kind, e.id) == (entry.kind, entry.id) else e for e in bucket]
    entries = {k: tuple(v) for k, v in found.items()}
    occupation_words = frozenset(
        w
        for words, bucket in entries.items()
        if any(e.kind == OCCUPATION for e in bucket)
        for w in words
    )
    return NameIndex(
        entries=entries,
        longest=max(len(k) for k in entries),
        occupation_words=occupation_words,
        fuzzy=_fuzzy(entries),
        names={
            kind: {k: " ".join(k) for k, v in entries.items() if any(e.kind == kind for e in v)}
            for kind in (PLACE, OCCUPATION)
        },
    )


def singular(word: str, vocabulary: frozenset[str]) -> str:
    """``word`` without a plural ending when that gives a word of ``vocabulary``.

    French adds -s or -x (soudeurs, caristes), Dutch -s, -en or -n (lassers, leerkrachten,
    verpleegkundigen). Only occupation names are matched this way: place names are proper
    nouns, and "Mons" would become "mon". Stems of three letters only lose -s or -x: "koken" (to
    cook) is not the plural of "kok".
    """
    if word in vocabulary:
        return word
    for ending, shortest in (("s", 3), ("x", 3), ("n", 4), ("en", 4), ("es", 4)):
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= shortest and stem in vocabulary:
            return stem
    return word
