"""Questions outside the twenty topics: which subject, so that the answer says where to ask.

A visa for a spouse, housing or a salary negotiation is no topic of this assistant: the
nearest topic's answer (the frontier-worker rules, a job search, CV advice) would be wrong.
:func:`subject_of` recognises these subjects by their words; the answer, "I can't answer
that" with the service to ask (official address), is the catalog's ``out_of_scope.<subject>``
text in each language (bot/resources/fr.yml, nl.yml), the addresses in one place there.
"""

from __future__ import annotations

import re

from bot.text import fold

RESIDENCE = "residence"
HOUSING = "housing"
SALARY_NEGOTIATION = "salary_negotiation"
# "et pour ma femme ?" after an answer: a question about another person, whose situation is
# not the candidate's (never the equal-opportunities topic that "femme" once drew).
PARTNER = "partner"
SUBJECTS = (RESIDENCE, HOUSING, SALARY_NEGOTIATION, PARTNER)

_RELATIVES = (
    r"(femme|mari|epouse|epoux|conjointe?|compagne|compagnon|enfants?|fils|fille|parents|mere|"
    r"pere|vrouw|man|echtgeno(o)?te?|partner|kind|kinderen|zoon|dochter|ouders|moeder|vader)"
)

# Folded word stems or phrases (regular expressions on the folded text), per subject.
_PATTERNS = {
    # A residence permit for a family member, family reunification, naturalisation; working
    # with a foreign nationality is faq/frontier_worker, a nurse's "visa" diploma_recognition.
    RESIDENCE: (
        r"\b(visas?|visum|sejour|verblijf\w*)\b.*\b" + _RELATIVES + r"\b",
        r"\b" + _RELATIVES + r"\b.*\b(visas?|visum|sejour|verblijf\w*)\b",
        r"\bregroupement familial\b",
        r"\bgezinshereniging\b",
        r"\bnaturalis(ation|atie|eren)\b",
        r"\bbelg worden\b",
        r"\bdevenir (francais|belge)\b",
    ),
    HOUSING: (
        r"\blogement\b",
        r"\bappart(ement)?s?\b",
        r"\bmaison a louer\b",
        r"\ba louer\b",
        r"\bloyer\b",
        r"\bproprietaire\b",
        r"\bcaution\b",
        r"\bcolocation\b",
        r"\bhuurwoning\b",
        r"\bwoning\b",
        r"\bte huur\b",
        r"\bhuren\b",
        r"\bhuisbaas\b",
        r"\bwaarborg\b",
        r"\bhuurprijs\b",
    ),
    SALARY_NEGOTIATION: (
        r"\bnegoci\w*\b.*\b(salaire|paie|remuneration)\b",
        r"\b(salaire|paie|remuneration)\b.*\bnegoci\w*",
        r"\b(demander|obtenir|avoir|negocier) une augmentation\b",
        r"\bonderhandel\w*\b",
        r"\bopslag (vragen|krijgen)\b|\b(vraag|vragen|krijg|krijgen) (ik |je )?(een )?opslag\b",
        r"\bloonsverhoging\b",
    ),
}
_COMPILED = {subject: [re.compile(p) for p in patterns] for subject, patterns in _PATTERNS.items()}


def subject_of(text: str) -> str | None:
    """The out-of-scope subject a message asks about (:data:`SUBJECTS`), None when none.

    :data:`PARTNER` is a short follow-up about the candidate's partner (:func:`asks_about_partner`).
    """
    folded = fold(text)
    for subject, patterns in _COMPILED.items():
        if any(p.search(folded) for p in patterns):
            return subject
    return PARTNER if asks_about_partner(text) else None


# The weather, asked in passing ("il va pleuvoir demain à Lille ?", "wordt het mooi weer in
# Ieper?"): the town in it drew the classifier to a topic or a search. Answered with the
# general out-of-scope text (no service to name).
_WEATHER = re.compile(
    r"\b(meteo|pleuvoir|pleut|pluie|neiger?|neige|drache|orages?|canicule|ensoleille"
    r"|quel temps|beau temps|temps qu il (fait|fera)|il fera (beau|chaud|froid)"
    r"|weerbericht|weersvoorspelling|het weer|mooi weer|slecht weer|wat voor weer"
    r"|regen|regenen|regent|sneeuw|sneeuwen|sneeuwt|onweer|hittegolf)\b"
)


def is_weather_talk(text: str) -> bool:
    """True for a question about the weather, which no topic answers."""
    return bool(_WEATHER.search(" ".join(re.findall(r"[^\W_]+", fold(text)))))


_PARTNER_FOLLOW_UP = re.compile(
    r"^(?=\w+ \w)(?:et|en|mais|maar|and|ok|oke|oké)? ?"
    r"(?:pour|voor|avec|met|wat met|quid|c est quoi pour)? ?"
    r"(?:ma|mon|mijn|m|ma chere|mn)? ?"
    r"(femme|mari|epouse|epoux|conjointe?|compagne|compagnon|copine|copain|vrouw|man|"
    r"echtgeno(?:o)?te?|partner|lief|vriendin|vriend)"
    r"(?: (?:alors|dan|ook|aussi|eigenlijk|svp|stp|aub))*$"
)


def asks_about_partner(text: str) -> bool:
    """True for a short follow-up about the candidate's partner: "et pour ma femme ?", "en
    voor mijn man?". Children are left out: "et pour mes enfants ?" after family allowances is
    a question of that topic."""
    folded = " ".join(re.findall(r"[^\W_]+", fold(text)))
    return bool(_PARTNER_FOLLOW_UP.match(folded))
