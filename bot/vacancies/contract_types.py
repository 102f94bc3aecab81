"""Contract types named in a message: "en CDI", "un CDD", "intérim", "vast contract", "uitzendwerk".

The words are the ones candidates use on both sides of the border: "CDI, CDD, intérim" are
said in France and in Belgium, Flemish speakers say "vast contract",
"tijdelijk contract", "interim" or "uitzendwerk". Each mention gives one of
:data:`bot.vacancies.CONTRACT_TYPES`, which the vacancy search filters on.

Matching is on folded text (case and accents ignored: "Intérim", "interim", "INTERIM") and on
whole words, so that "cdiscount" or "stagecoach" mean nothing. "stage" (internship) is the
same word in both languages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.text import fold

# Regular expressions on folded text (see ``fold``): lower case, no accents.
_PATTERNS: dict[str, tuple[str, ...]] = {
    "permanent": (
        r"cdi",
        r"contrats? a duree indeterminee",
        r"duree indeterminee",
        r"vast(?:e)? (?:contract(?:en)?|job|werk|baan|betrekking|aanstelling)",
        r"vast contract",
        r"(?:contract|overeenkomst) van onbepaalde (?:duur|tijd)",
        r"onbepaalde (?:duur|tijd)",
    ),
    "fixed_term": (
        r"cdd",
        r"contrats? a duree determinee",
        r"duree determinee",
        r"tijdelijke? (?:contract(?:en)?|job|werk|baan)",
        r"(?:contract|overeenkomst) van bepaalde (?:duur|tijd)",
        r"bepaalde (?:duur|tijd)",
    ),
    "temp_agency": (
        r"interims?",
        r"interimaires?",
        r"interim(?:job|jobs|werk|contract|kantoor|kantoren|baan)",
        r"missions? d interim",
        r"agences? d interim",
        r"boites? d interim",
        r"uitzend(?:werk|job|jobs|kracht|contract|kantoor|bureau|baan)",
    ),
    "apprenticeship": (
        r"apprentissage",
        r"contrats? d apprentissage",
        r"alternance",
        r"en alternance",
        r"apprenti(?:e|es|s)?",
        r"leercontract(?:en)?",
        r"duaal leren",
        r"duale opleiding",
    ),
    "internship": (
        r"stages?",
        r"stagiaire",
        r"stageplaats(?:en)?",
        r"stagiair",
    ),
    "student": (
        r"jobs? (?:d )?etudiants?",
        r"jobistes?",
        r"studentenjobs?",
        r"jobstudent(?:en)?",
        r"vakantiejobs?",
        r"jobs? de vacances",
        r"studentenwerk",
    ),
    "freelance": (
        r"independante?s?",
        r"freelances?",
        r"free lance",
        r"freelancer",
        r"zelfstandigen?",
        r"als zelfstandige",
    ),
}

# Longest alternatives first, so that "contrat à durée indéterminée" is one mention.
_MENTION = re.compile(
    "|".join(
        f"(?P<{kind}_{n}>\\b(?:{pattern})\\b)"
        for kind, patterns in _PATTERNS.items()
        for n, pattern in enumerate(sorted(patterns, key=len, reverse=True))
    )
)


@dataclass(frozen=True)
class ContractMention:
    """One contract type named in a message; ``start``/``end`` index the original text."""

    value: str  # one of bot.vacancies.CONTRACT_TYPES
    start: int
    end: int
    text: str


def extract(text: str) -> list[ContractMention]:
    """Every contract type ``text`` names, in the order of the text."""
    folded, origin = _folded(text)
    found = []
    for match in _MENTION.finditer(folded):
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        found.append(ContractMention(_kind(match), start, end, text[start:end]))
    return found


def contract_type(text: str) -> str | None:
    """The first contract type ``text`` names, or None."""
    found = extract(text)
    return found[0].value if found else None


def _folded(text: str) -> tuple[str, list[int]]:
    """``text`` folded character by character, with the original index of each character.

    Apostrophes and hyphens become spaces ("d'intérim" is "d interim", "free-lance" is
    "free lance"); a character may fold into two ("œ" into "oe") or none (a lone accent).
    """
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = " " if char in "'’-" else fold(char)
        chars.append(folded)
        origin.extend([index] * len(folded))
    return "".join(chars), origin


def _kind(match: re.Match[str]) -> str:
    assert match.lastgroup is not None
    return match.lastgroup.rsplit("_", 1)[0]
