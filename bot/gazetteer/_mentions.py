"""Every place, occupation and search radius mentioned inside a whole message.

Three passes over the words of the message:

1. exact names, longest first at each position ("Mons-en-Barœul" before "Mons", "chauffeur
   poids lourd" before "chauffeur"), occupations also in the plural ("caristes", "lassers");
2. near misses of two or three words ("aide soignate"), then of single words of at least five
   letters ("Kortrik", "heftruckchaufeur"), never aimed at everyday words or acronyms;
3. the radius ("dans un rayon de 20 km", "binnen 20 km") or "anywhere" ("partout", "overal").

Names that are everyday words ("hem", "komen", "lessen", "la panne") count only after a
word that introduces a place ("à", "vers", "près de", "in", "naar", "bij", "in de buurt van")
or when capitalised in mid-sentence; occupations that are everyday words ("chef",
"commercial") only after "comme", "en tant que", "als", "poste de"... Acronyms ("AS", "IDE",
"LLN") only in capitals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from rapidfuzz import fuzz, process

from bot.gazetteer._choice import alternatives, choose
from bot.gazetteer._index import (
    COMMON_WORD_NAMES,
    COMMON_WORD_OCCUPATIONS,
    OCCUPATION,
    PLACE,
    index,
    singular,
)
from bot.gazetteer._text import Word, words

RADIUS = "radius"
ANYWHERE = "any"

# Near misses inside a message must be closer than whole answers (see FUZZY_CUTOFF): a
# message has many words, each one a chance for a false match.
WORD_CUTOFF_SHORT = 88  # five to seven letters: one letter missing or extra
WORD_CUTOFF_LONG = 85  # eight letters or more: also one wrong letter
PHRASE_CUTOFF = 90
FUZZY_MIN_WORD = 5

_PLACE_CUES = frozenset(
    "a au aux vers sur cote in te naar rond rondom richting bij nabij uit omgeving regio".split()
)
_OCCUPATION_CUES = frozenset("comme que als suis ben devenir worden".split())
# Words that make the next "de"/"van"/"voor" a cue: "près de", "in de buurt van", "poste de".
_PLACE_BEFORE_OF = frozenset(
    "pres proche autour cote environs region alentours secteur coin buurt omgeving regio "
    "omstreken streek".split()
)
_OCCUPATION_BEFORE_OF = frozenset(
    "poste postes job jobs emploi emplois offre offres travail boulot metier place annonce "
    "annonces stage vacature vacatures functie werk".split()
)
_OF = frozenset("de d du van voor".split())

_RADIUS = re.compile(r"\b(\d{1,3})\s*(?:km|kms|kilom[eè]tres?|kilometers?)\b", re.IGNORECASE)
_ANYWHERE = re.compile(
    r"\b(?:partout|n['’ ]?importe o[uù]|peu importe o[uù]|peu importe la distance|"
    r"overal|om het even waar|gelijk waar|eender waar|waar dan ook|maakt niet uit waar)\b",
    re.IGNORECASE,
)
MAX_RADIUS_KM = 500


@dataclass(frozen=True)
class Span:
    """One mention: ``kind`` is "place", "occupation" or "radius"; ``value`` the gazetteer id,
    the radius in km or ``ANYWHERE``; ``start``/``end`` index the original text."""

    kind: str
    value: str | int
    start: int
    end: int
    text: str
    score: float = 100.0
    alternatives: tuple[str, ...] = ()


def extract(text: str, language: str | None = None) -> list[Span]:
    """Every place, occupation and radius in ``text``, in the order of the text."""
    found = words(text)
    taken = [False] * len(found)
    spans = _exact(text, found, taken, language)
    for length in (3, 2, 1):
        spans += _near(text, found, taken, length, language)
    spans += radius_spans(text)
    return sorted(spans, key=lambda s: s.start)


def _occupation_words(found: list[Word]) -> list[str]:
    vocabulary = index().occupation_words
    return [singular(w.text, vocabulary) for w in found]


def _exact(text: str, found: list[Word], taken: list[bool], language: str | None) -> list[Span]:
    spans: list[Span] = []
    plain = [w.text for w in found]
    singulars = _occupation_words(found)
    i = 0
    while i < len(found):
        span, n = None, 0
        for n in range(min(index().longest, len(found) - i), 0, -1):
            span = _span_at(text, found, i, n, PLACE, tuple(plain[i : i + n]), language)
            occupation_key = tuple(singulars[i : i + n])
            span = span or _span_at(text, found, i, n, OCCUPATION, occupation_key, language)
            if span:
                break
        if span is None:
            i += 1
            continue
        spans.append(span)
        taken[i : i + n] = [True] * n
        i += n
    return spans


def _span_at(
    text: str,
    found: list[Word],
    i: int,
    n: int,
    kind: str,
    words_key: tuple[str, ...],
    language: str | None,
    score: float = 100.0,
) -> Span | None:
    entries = index().get(words_key, kind)
    if not entries:
        return None
    ordered = choose(words_key, entries, language)
    originals = found[i : i + n]
    if score == 100.0 and ordered[0].acronym:
        if " ".join(w.original for w in originals) != ordered[0].name:
            return None
    joined = " ".join(words_key)
    if kind == PLACE and joined in COMMON_WORD_NAMES and not _place_cue(text, found, i):
        return None
    if kind == OCCUPATION and joined in COMMON_WORD_OCCUPATIONS and not _occupation_cue(found, i):
        return None
    start, end = originals[0].start, originals[-1].end
    return Span(
        kind,
        ordered[0].id,
        start,
        end,
        text[start:end],
        score,
        alternatives(words_key, ordered) if kind == PLACE else tuple(e.id for e in ordered[1:]),
    )


def _cue(found: list[Word], i: int, direct: frozenset[str], before_of: frozenset[str]) -> bool:
    previous = found[i - 1].text if i >= 1 else ""
    if previous in direct:
        return True
    return previous in _OF and i >= 2 and found[i - 2].text in before_of


def _place_cue(text: str, found: list[Word], i: int) -> bool:
    if _cue(found, i, _PLACE_CUES, _PLACE_BEFORE_OF):
        return True
    # Capitalised in mid-sentence: "on m'a parlé de Komen" but not "Komen werken?"
    return _proper(text, found[i : i + 1])


def _occupation_cue(found: list[Word], i: int) -> bool:
    return _cue(found, i, _OCCUPATION_CUES, _OCCUPATION_BEFORE_OF)


def _near(
    text: str, found: list[Word], taken: list[bool], length: int, language: str | None
) -> list[Span]:
    spans: list[Span] = []
    singulars = _occupation_words(found)
    for i in range(len(found) - length + 1):
        if any(taken[i : i + length]) or any(w.is_number for w in found[i : i + length]):
            continue
        window = found[i : i + length]
        if length > 1 and not _one_phrase(text, window):
            continue
        best = _best_near(window, singulars[i : i + length], length, proper=_proper(text, window))
        if best is None:
            continue
        kind, words_key, score = best
        span = _span_at(text, found, i, length, kind, words_key, language, score)
        if span:
            spans.append(span)
            taken[i : i + length] = [True] * length
    return spans


def _one_phrase(text: str, window: list[Word]) -> bool:
    """Words of at least four letters with nothing but spaces, hyphens or apostrophes between.

    "ouvrier, mon" is not a near miss of "ouvrier maçon", nor "chauffeur en" of "chauffeur CE".
    """
    if any(len(w.text) < 4 for w in window):
        return False
    gaps = (text[a.end : b.start] for a, b in zip(window, window[1:], strict=False))
    return all(not set(gap) - set(" -'") for gap in gaps)


def _proper(text: str, window: list[Word]) -> bool:
    """True for a capitalised word in mid-sentence: a name ("Macron"), never an occupation."""
    before = text[: window[0].start].rstrip()
    return window[0].original[:1].isupper() and bool(before) and before[-1] not in ".!?"


def _best_near(
    window: list[Word],
    singulars: list[str],
    length: int,
    stopwords: frozenset[str] | None = None,
    proper: bool = False,
) -> tuple[str, tuple[str, ...], float] | None:
    """The closest name to a window of words, if close enough (see the module docstring).

    The first letter must match, as it almost always does in a typo ("Kortrik"), and words of
    French or Dutch that happen to be close to a name ("leven" and Leuven, "mening" and Menin,
    "monsieur" and moniteur) are never matched: they are listed in
    bot/resources/fuzzy_stopwords.txt, built by scripts/build_fuzzy_stopwords.py.
    """
    joined = " ".join(w.text for w in window)
    if length == 1 and len(joined) < FUZZY_MIN_WORD:
        return None
    if length > 1 and len(joined) < 9:
        return None
    if joined in (fuzzy_stopwords() if stopwords is None else stopwords):
        return None
    if length == 1:
        cutoff = WORD_CUTOFF_SHORT if len(joined) < 8 else WORD_CUTOFF_LONG
    else:
        cutoff = PHRASE_CUTOFF
    best: tuple[str, tuple[str, ...], float] | None = None
    queries = [(PLACE, joined)] + ([] if proper else [(OCCUPATION, " ".join(singulars))])
    for kind, query in queries:
        choices = index().fuzzy_choices(kind, length)
        hit = process.extractOne(query, choices, scorer=fuzz.ratio, score_cutoff=cutoff)
        if hit is None or abs(len(hit[0]) - len(query)) > 2 or hit[0][0] != query[0]:
            continue
        if best is None or hit[1] > best[2]:
            best = (kind, tuple(hit[2]), float(hit[1]))
    return best


def near_name(word: str, stopwords: frozenset[str] = frozenset()) -> str | None:
    """The name one word would be read as by the near-miss pass (for the stop-word builder)."""
    folded = Word(word, 0, len(word), word)
    best = _best_near([folded], _occupation_words([folded]), 1, stopwords)
    return " ".join(best[1]) if best else None


@cache
def fuzzy_stopwords() -> frozenset[str]:
    """Everyday words never read as near misses of a name (one folded word per line)."""
    text = resources.files("bot.resources").joinpath("fuzzy_stopwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def radius_spans(text: str) -> list[Span]:
    """The search radius the message asks for: "20 km", or ``ANYWHERE`` ("partout")."""
    spans = []
    for match in _RADIUS.finditer(text):
        km = int(match.group(1))
        if 0 < km <= MAX_RADIUS_KM:
            spans.append(Span(RADIUS, km, match.start(), match.end(), match.group()))
    for match in _ANYWHERE.finditer(text):
        spans.append(Span(RADIUS, ANYWHERE, match.start(), match.end(), match.group()))
    return spans


def parse_radius(text: str) -> int | str | None:
    """The radius in km, ``ANYWHERE``, or None when ``text`` says nothing about distance."""
    spans = radius_spans(text)
    return spans[0].value if spans else None
