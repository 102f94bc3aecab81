"""Which sessions a message is about: "celle de Kortrijk mardi", "infosessies in het Frans".

Read with word lists in French and Dutch rather than NLU entities: the places are those of
the sessions on offer (any of their names: Courtrai/Kortrijk, Tournai/Doornik), the days are
weekday names, dates ("le 9", "9 décembre", "9/12") and parts of the day, the topic and the
session language are keywords. The same reading serves the list ("les séances à Tournai")
and the booking form ("la deuxième", "die in Kortrijk op dinsdag").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.gazetteer import place
from bot.sessions.model import LANGUAGE_FILTER, TIMEZONE, InfoSession
from bot.text import fold

# Folded words and phrases of each topic (session topics are FAQ topic names); the first
# topic that matches wins, so the specific ones come first.
_TOPICS = {
    "taxes": (
        "impot", "impots", "fiscal", "fiscalite", "taxes", "securite sociale", "belasting",
        "belastingen", "fiscaliteit", "sociale zekerheid",
    ),
    "job_dating": (
        "job dating", "jobdating", "jobdatings", "speed dating", "recrutement", "werkgevers",
        "visite d entreprise", "visite entreprise", "bedrijfsbezoek", "usine", "fabriek",
    ),
    "training": (
        "formation", "formations", "cours de neerlandais", "apprendre le neerlandais",
        "neerlandais pour", "opleiding", "opleidingen", "cursus nederlands", "taalles",
        "taalcursus", "nederlands leren", "nederlands voor", "lessen nederlands",
    ),
    "cv_application": (
        "cv", "curriculum", "candidature", "candidatures", "postuler", "sollicitatie",
        "solliciteren", "sollicitatiebrief",
    ),
    "contracts": (
        "interim", "interimaire", "agences d interim", "uitzend", "uitzendkantoor",
        "uitzendkantoren", "uitzendwerk", "interimkantoor",
    ),
    "equal_opportunities": (
        "egalite", "femmes hommes", "discrimination", "discriminations", "gelijke kansen",
        "gelijkheid", "discriminatie",
    ),
    "frontier_worker": (
        "frontalier", "frontaliers", "frontaliere", "grensarbeider", "grensarbeiders",
        "grensarbeid", "travailler en", "werken in", "travailler de l autre cote",
        "werken aan de andere kant",
    ),
}  # fmt: skip
# Session language: "en néerlandais" is the language of the session, "cours de néerlandais"
# a topic, so only these phrases count.
_LANGUAGE_PHRASES = {
    "fr": ("en francais", "in het frans", "franstalig", "franstalige", "francophone"),
    "nl": (
        "en neerlandais",
        "en flamand",
        "in het nederlands",
        "in het vlaams",
        "nederlandstalig",
        "nederlandstalige",
        "neerlandophone",
    ),
    "fr+nl": ("bilingue", "bilingues", "tweetalig", "tweetalige", "deux langues", "beide talen"),
}
_ONLINE = ("en ligne", "online", "webinaire", "webinar", "a distance", "visio", "van thuis uit")
_WEEKDAYS = (
    ("lundi", "maandag"),
    ("mardi", "dinsdag"),
    ("mercredi", "woensdag"),
    ("jeudi", "donderdag"),
    ("vendredi", "vrijdag"),
    ("samedi", "zaterdag"),
    ("dimanche", "zondag"),
)
_MONTHS = (
    ("janvier", "januari", "janv", "jan"),
    ("fevrier", "februari", "fevr", "feb"),
    ("mars", "maart", "mrt"),
    ("avril", "april", "avr", "apr"),
    ("mai", "mei"),
    ("juin", "juni", "jun"),
    ("juillet", "juli", "juil", "jul"),
    ("aout", "augustus", "aug"),
    ("septembre", "september", "sept", "sep"),
    ("octobre", "oktober", "oct", "okt"),
    ("novembre", "november", "nov"),
    ("decembre", "december", "dec"),
)
_MORNING = ("matin", "matinee", "ochtend", "voormiddag", "s morgens", "s ochtends")
_AFTERNOON = ("apres midi", "aprem", "namiddag", "s middags")
_EVENING = ("soir", "soiree", "avond", "s avonds")
_ORDINALS = {
    "premiere": 1, "premier": 1, "1re": 1, "1ere": 1, "eerste": 1,
    "deuxieme": 2, "seconde": 2, "second": 2, "2e": 2, "2eme": 2, "tweede": 2,
    "troisieme": 3, "3e": 3, "3eme": 3, "derde": 3,
    "quatrieme": 4, "4e": 4, "4eme": 4, "vierde": 4,
    "cinquieme": 5, "5e": 5, "5eme": 5, "vijfde": 5,
    "sixieme": 6, "6e": 6, "6eme": 6, "zesde": 6,
    "derniere": -1, "dernier": -1, "laatste": -1,
}  # fmt: skip


@dataclass(frozen=True)
class Filters:
    """What a message asks of the list; empty when it names nothing."""

    topic: str | None = None
    place_ids: frozenset[str] = frozenset()
    language: str | None = None
    online: bool | None = None

    def is_empty(self) -> bool:
        return not (self.topic or self.place_ids or self.language or self.online is not None)


def _words(text: str) -> str:
    """Folded words, padded with spaces so that ``" x "`` finds whole words and phrases.

    Dates such as "9/12" stay one word; hyphens and apostrophes separate words.
    """
    folded = re.sub(r"['’-]", " ", fold(text))
    tokens = re.findall(r"\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?|[\w+]+", folded)
    return " " + " ".join(tokens) + " "


def _has(words: str, phrases: Sequence[str]) -> bool:
    return any(f" {phrase} " in words for phrase in phrases)


def read_filters(text: str, sessions: Sequence[InfoSession] = ()) -> Filters:
    """The topic, towns, session language and online/on site a message asks for.

    Towns are looked for among those of ``sessions`` (the sessions on offer).
    """
    words = _words(text)
    topic = next((name for name, phrases in _TOPICS.items() if _has(words, phrases)), None)
    language = next(
        (code for code, phrases in _LANGUAGE_PHRASES.items() if _has(words, phrases)), None
    )
    online = True if _has(words, _ONLINE) else None
    return Filters(topic, _places_in(words, sessions), language, online)


def _places_in(words: str, sessions: Sequence[InfoSession]) -> frozenset[str]:
    found = set()
    for session in sessions:
        known = place(session.place_id)
        if known and any(f" {name} " in words for name in known.folded_names()):
            found.add(known.id)
    return frozenset(found)


def apply_filters(sessions: Sequence[InfoSession], filters: Filters) -> list[InfoSession]:
    """The sessions that match every criterion of ``filters``."""
    checks: list[Callable[[InfoSession], bool]] = []
    if filters.topic:
        checks.append(lambda s: s.topic == filters.topic)
    if filters.place_ids:
        checks.append(lambda s: s.place_id in filters.place_ids)
    if filters.language in LANGUAGE_FILTER:
        kept = LANGUAGE_FILTER[str(filters.language)]
        checks.append(lambda s: s.language in kept)
    if filters.online is not None:
        checks.append(lambda s: s.online == filters.online)
    return [s for s in sessions if all(check(s) for check in checks)]


def match_sessions(text: str, sessions: Sequence[InfoSession]) -> list[InfoSession] | None:
    """The sessions among ``sessions`` (in the order shown) that ``text`` describes.

    A number or an ordinal ("2", "la 2", "de 3de", "la deuxième") is a place in ``sessions``,
    never a database id. Returns None when the text names nothing this reader knows (no
    place, day, date, topic, number in the list...), and a list, possibly empty, otherwise;
    more than one session means the candidate must be asked which.
    """
    words = _words(text)
    position = _position(words, len(sessions))
    checks = _time_checks(words)
    if position is not None:
        chosen = sessions[position]
        if not checks or _ordinal_day(words) is None:
            return [chosen]
        # "de 3de", "le 2e": the third in the list, or the session on the 3rd?
        on_that_day = [s for s in sessions if all(c(s) for c in checks)]
        return [chosen, *(s for s in on_that_day if s != chosen)]
    leading = _leading_choice(words, sessions)
    if leading is not None:
        return [leading]
    filters = read_filters(text, sessions)
    if not checks and filters.is_empty():
        return None
    return [s for s in apply_filters(sessions, filters) if all(c(s) for c in checks)]


def _leading_choice(words: str, sessions: Sequence[InfoSession]) -> InfoSession | None:
    """The session of "la 1ère, celle pour les Belges", "den eerste, in Kortrijk": an ordinal
    first, then words that describe it; None when the words describe another session."""
    tokens = [t for t in words.split() if t not in _FILLERS and t != "le"]
    if len(tokens) < 2:
        return None
    suffixed = _ORDINAL_SUFFIX.match(tokens[0])
    number = _ORDINALS.get(tokens[0]) or (int(suffixed.group(1)) if suffixed else None)
    if number is None:
        return None
    index = len(sessions) - 1 if number == -1 else number - 1
    if not 0 <= index < len(sessions):
        return None
    chosen = sessions[index]
    rest = " " + " ".join(tokens[1:]) + " "
    filters = read_filters(rest, sessions)
    checks = _time_checks(rest)
    described = filters.is_empty() or bool(apply_filters([chosen], filters))
    return chosen if described and all(check(chosen) for check in checks) else None


def number_beyond(text: str, count: int) -> int | None:
    """The number of "7" or "la 7e" when the list shown has fewer than that many sessions."""
    number = _number_said(_words(text))
    return number if number is not None and number > count else None


_POSITION_WORDS = frozenset("la numero num no n nr nummer seance sessie".split())
# Words around a choice that say nothing more: "je prends la 2 svp", "doe maar de 3de".
_FILLERS = frozenset(
    """la het de die deze dat celle ci numero num no n nr nummer seance sessie optie option
    choix keuze je prends prend choisis veux voudrais ik neem kies wil graag svp stp merci
    bedankt alsjeblieft aub doe maar ok oke oui ja plutot liever dan alors euh c est is
    ca dit voor pour moi mij then m inscrire inscris inscrit a me inschrijven schrijf aan
    graag wou zou den nen ne t""".split()
)
_ORDINAL_SUFFIX = re.compile(r"^(\d{1,2})(?:er|ere|re|e|eme|de|ste|st|nd|th)$")
_NUMBER_WORDS = {
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6,
}  # fmt: skip


def _ordinal_day(words: str) -> int | None:
    """The day of "le 2e" / "de 3de": an ordinal with a suffix may also be a date."""
    for token in words.split():
        found = _ORDINAL_SUFFIX.match(token)
        if found:
            return int(found.group(1))
    return None


def _number_said(words: str) -> int | None:
    """The place a short message picks: "2", "la 2", "nummer 3", "la deuxième", "de 3de",
    "je prends la 2 svp"; -1 for "la dernière"; None for anything else.

    "le 9" and "op 9" are dates, not the ninth session: only "la", "numéro", "nummer"... or
    nothing may come before a bare number.
    """
    tokens = words.split()
    if not tokens or len(tokens) > 10:
        return None
    meaningful = [t for t in tokens if t not in _FILLERS and t != "le"]
    if len(meaningful) != 1:
        return None
    [last] = meaningful
    if last in _ORDINALS:
        return _ORDINALS[last]
    if last in _NUMBER_WORDS:
        return _NUMBER_WORDS[last]
    ordinal = _ORDINAL_SUFFIX.match(last)
    if ordinal:
        return int(ordinal.group(1))
    if last.isdigit() and "le" not in tokens and "op" not in tokens:
        return int(last)
    return None


def _position(words: str, count: int) -> int | None:
    """Index meant by "2", "la 2", "nummer 3", "la deuxième", "de laatste", within ``count``."""
    number = _number_said(words)
    if number is None:
        return None
    if number == -1:
        return count - 1 if count else None
    return number - 1 if 1 <= number <= count else None


def _local(session: InfoSession) -> dt.datetime:
    return session.starts_at.astimezone(TIMEZONE)


def _time_checks(words: str) -> list[Callable[[InfoSession], bool]]:
    """Checks for the weekday, date and part of the day that ``words`` mention."""
    checks: list[Callable[[InfoSession], bool]] = []
    weekday = next((i for i, names in enumerate(_WEEKDAYS) if _has(words, names)), None)
    if weekday is not None:
        checks.append(lambda s: _local(s).weekday() == weekday)
    date = _date_in(words)
    if date is not None:
        day, month = date
        checks.append(lambda s: _local(s).day == day and month in (None, _local(s).month))
    if _has(words, _MORNING):
        checks.append(lambda s: _local(s).hour < 12)
    elif _has(words, _AFTERNOON):
        checks.append(lambda s: 12 <= _local(s).hour < 17)
    elif _has(words, _EVENING):
        checks.append(lambda s: _local(s).hour >= 17)
    return checks


_DAY_SUFFIX = "(?:er|e|eme|de|ste)?"  # 1er, 2e, 16ème / 16de, 1ste


def _date_in(words: str) -> tuple[int, int | None] | None:
    """(day, month) of "9 décembre", "9/12", "le 9", "op 9 december"; month None if unsaid."""
    numeric = re.search(r" (\d{1,2})[/.](\d{1,2})(?:[/.]\d{2,4})? ", words)
    if numeric:
        return int(numeric.group(1)), int(numeric.group(2))
    for month, names in enumerate(_MONTHS, start=1):
        found = re.search(rf" (\d{{1,2}}){_DAY_SUFFIX} (?:{'|'.join(names)}) ", words)
        if found:
            return int(found.group(1)), month
    alone = re.search(rf" (?:le|du|op|de) (\d{{1,2}}){_DAY_SUFFIX} ", words)
    return (int(alone.group(1)), None) if alone else None
