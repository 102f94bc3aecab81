"""What a message asks about a cross-border topic, read from its words.

Two things the intent classifier alone does not say well:

- a question about what something *is* ("c'est quoi le formulaire A1 ?", "wat is het
  Groeipakket?"): it is answered at once from the glossary (what it is, who issues it), before
  any question about the candidate's situation;
- a short follow-up that names a topic ("et la sécu ?", "en de kinderbijslag?"): it asks that
  topic for the situation already known.

The glossary (``bot/resources/glossary.yml``) links each term to a knowledge topic and cites
that topic's sources by id, so each link is written in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from bot import messages
from bot.knowledge.answers import KnowledgeError, topics
from bot.language.codes import SUPPORTED
from bot.text import fold

GLOSSARY = "glossary.yml"
# A follow-up is a short message: "et pour les impôts ?", "en de kinderbijslag dan?".
FOLLOW_UP_MAX_WORDS = 7

# "What is ...?" in French and Dutch, folded, apostrophes as spaces.
_WHAT_IS = re.compile(
    r"\b(c est quoi|c quoi|c est qui|qu est ce qu?e?|qu est-ce qu?e?|que veut dire|que signifie|"
    r"ca veut dire quoi|veut dire quoi|signifie quoi|ca sert a quoi|a quoi sert|"
    r"definition|definir|kesako|qui est|qui sont|"
    r"wat is|wat zijn|wat betekent|wat betekenen|wat wil zeggen|wat houdt|waarvoor dient|"
    # Flemish speech: "wa is da, een A1-formulier?", "wa betekent da?"
    r"wa is|wa zijn|wa betekent|wa wil zeggen|"
    r"waarvoor staat|wat bedoelt? ?(men|ze|jullie)? met|wie is|wie zijn|wat doet)\b"
)
# How close to the "what is" the term must be, in words.
_WINDOW = 6
# Words that may end a "what is" question after it ("c'est quoi au juste ?", "wat is dat?").
_TRAILING = frozenset(
    "? c est exactement au juste donc alors en fait ca cela precies eigenlijk juist dat dan"
    " nu nou weer da".split()
)
# What may stand between "what is" and the term: "c'est quoi exactement le formulaire A1".
_ARTICLES = frozenset(
    """le la les l un une ce cet cette ces du de des d c est etre exactement donc au juste
    formulaire attestation certificat statut
    het de een dat da die deze dit van zijn precies eigenlijk juist nu weer formulier attest
    statuut""".split()
)
# Words that make "A1"/"A2" a language level, not the social security form.
_LANGUAGE_LEVEL = re.compile(r"\b(niveau|cecr|cefr|taalniveau|neerlandais|nederlands|francais)\b")
# Words around a term that leave it alone in the message ("le formulaire S1 ?").
_FILLER = frozenset(
    "le la les l un une de du des formulaire attestation het de een formulier attest en et"
    " quoi ?".split()
)

# Words naming a topic (folded), for short follow-ups. Several words may name one topic.
TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "taxes": (
        "impose",
        "imposee",
        "imposable",
        "imposition",
        "belast",
        "impot",
        "impots",
        "impositions",
        "fisc",
        "fiscalite",
        "precompte",
        "belasting",
        "belastingen",
        "fiscus",
        "bedrijfsvoorheffing",
        "aangifte",
    ),
    "social_security": (
        "assure",
        "assuree",
        "verzekerd",
        "secu",
        "securite sociale",
        "cotisations",
        "onss",
        "urssaf",
        "sociale zekerheid",
        "rsz",
        "sociale bijdragen",
    ),
    "health_insurance": (
        "mutuelle",
        "mutualite",
        "assurance maladie",
        "sante",
        "medecin",
        "soins",
        "cpam",
        "ziekenfonds",
        "ziekteverzekering",
        "ziekte",
        "maladie",
        "dokter",
        "mutualiteit",
    ),
    "unemployment_benefits": (
        "chomage",
        "allocations de chomage",
        "are",
        "werkloosheid",
        "werkloosheidsuitkering",
        "dop",
        "stempelgeld",
    ),
    "family_allowances": (
        "allocations familiales",
        "allocs",
        "alloc",
        "caf",
        "allocation familiale",
        "kinderbijslag",
        "groeipakket",
        "kindergeld",
    ),
    "pension": ("retraite", "pension", "pensioen"),
    "frontier_worker": ("statut de frontalier", "statut frontalier", "grensarbeidersstatuut"),
    "commuting": (
        "trajet",
        "transport",
        "abonnement de train",
        "pendelen",
        "trein",
        "verplaatsing",
    ),
    "wages": ("salaire", "smic", "loon", "minimumloon", "salaris"),
    "contracts": ("contrat", "interim", "contract", "uitzendwerk"),
    "language_requirements": ("langue", "neerlandais", "taal", "nederlands"),
    "diploma_recognition": ("diplome", "diplomes", "equivalence", "diploma", "erkenning"),
    "working_conditions": ("conges", "vacances", "horaires", "verlof", "vakantie", "werkuren"),
}


@dataclass(frozen=True)
class Term:
    """One glossary entry: what it is, in each language, and which topic it belongs to."""

    key: str
    names: tuple[str, ...]
    form: bool
    topic: str
    text: dict[str, str]
    sources: tuple[tuple[str, str], ...]  # (topic, source id)

    def source_urls(self, language: str) -> list[str]:
        urls = [topics()[name].sources[source][language] for name, source in self.sources]
        return list(dict.fromkeys(urls))


@cache
def glossary() -> dict[str, Term]:
    """The glossary, by key, loaded and checked once."""
    path = resources.files("bot.resources").joinpath(GLOSSARY)
    return parse_glossary(yaml.safe_load(path.read_text("utf-8")))


def parse_glossary(data: dict[str, Any]) -> dict[str, Term]:
    """Terms from the glossary file's contents; raises KnowledgeError naming the first fault."""
    known = topics()
    terms: dict[str, Term] = {}
    for key, entry in (data.get("terms") or {}).items():
        try:
            sources = tuple(tuple(str(s).split(".", 1)) for s in entry["sources"])
            term = Term(
                key=str(key),
                names=tuple(fold(str(name)) for name in entry["names"]),
                form=bool(entry.get("form", False)),
                topic=str(entry["topic"]),
                text={language: " ".join(str(entry[language]).split()) for language in SUPPORTED},
                sources=sources,  # type: ignore[arg-type]
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise KnowledgeError(f"{GLOSSARY}: term {key}: missing field {error}") from error
        if term.topic not in known:
            raise KnowledgeError(f"{GLOSSARY}: term {key}: unknown topic {term.topic}")
        for pair in term.sources:
            if len(pair) != 2 or pair[0] not in known or pair[1] not in known[pair[0]].sources:
                raise KnowledgeError(f"{GLOSSARY}: term {key}: unknown source {'.'.join(pair)}")
        if not term.sources or not term.names or not all(term.text.values()):
            raise KnowledgeError(f"{GLOSSARY}: term {key}: needs names, sources and both texts")
        terms[term.key] = term
    return terms


def _words(text: str) -> str:
    """Folded text with apostrophes and punctuation as spaces, one space between words."""
    folded = fold(text).replace("'", " ").replace("’", " ")
    return " ".join(re.findall(r"[\w-]+|\?", folded))


def _find(name: str, words: str) -> int:
    """Where ``name`` starts in ``words`` as whole words, or -1."""
    match = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", words)
    return match.start() if match else -1


def definition_asked(text: str) -> Term | None:
    """The glossary term ``text`` asks the meaning of, or None.

    "c'est quoi le formulaire A1 ?" and "wat is het Groeipakket?" ask it; so does a form's
    name alone ("S1 ?"). "Quel niveau A1 en néerlandais ?" does not (a language level).
    """
    words = _words(text)
    mentioned: dict[str, tuple[int, int, Term]] = {}
    for term in glossary().values():
        for name in term.names:
            at = _find(name, words)
            if at < 0:
                continue
            if term.key == "a1" and _LANGUAGE_LEVEL.search(words):
                continue
            # The earliest mention first, then the longest name ("formulaire a1" over "a1").
            candidate = (at, -len(name), term)
            if term.key not in mentioned or candidate[:2] < mentioned[term.key][:2]:
                mentioned[term.key] = candidate
    if not mentioned:
        return None
    ordered = sorted(mentioned.values(), key=lambda c: c[:2])
    # The term the "what is" is about, wherever others stand: "chui frontalier, c quoi le
    # formulaire A1 ?" asks about the A1, not about the status named first.
    for _at, _length, term in ordered:
        if any(_asks_about(words, match, term) for match in _WHAT_IS.finditer(words)):
            return term
    term = ordered[0][2]
    rest = [word for word in words.split() if word not in _FILLER]
    alone = all(any(_find(word, name) >= 0 for name in term.names) for word in rest)
    return term if term.form and alone else None


def _asks_about(words: str, match: re.Match[str], term: Term) -> bool:
    """True when the "what is" of ``match`` is about ``term``, not about something else.

    The term follows it closely ("c'est quoi le formulaire A1"), or the question ends the
    message and the term comes just before ("le S1, c'est quoi au juste ?"). "je suis
    frontalier, c'est quoi mes droits ?" asks about rights, not about the status.
    """
    after = words[match.end() :].split()
    before = words[: match.start()].split()
    # The term right after it, past articles only: "c'est quoi le formulaire A1", not "c'est
    # quoi les offres du VDAB" (a search) or "wat is het beste ziekenfonds" (a choice).
    for start in range(min(len(after), _WINDOW)):
        rest = " ".join(after[start:])
        if any(rest == name or rest.startswith(name + " ") for name in term.names):
            return True
        if after[start] not in _ARTICLES:
            break
    if any(word not in _TRAILING for word in after):
        return False
    near = " ".join(before[-_WINDOW:])
    return any(_find(name, near) >= 0 for name in term.names)


def topic_named(text: str) -> str | None:
    """The topic a message names by its words, or None.

    The last one named wins: a question comes after the situation that leads to it ("mon
    contrat à Roulers se termine : et le chômage ?").
    """
    words = _words(text)
    best: tuple[int, int, str] | None = None
    for topic, names in TOPIC_WORDS.items():
        for name in names:
            for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", words):
                candidate = (match.end(), len(name), topic)
                if best is None or candidate[:2] > best[:2]:
                    best = candidate
    return best[2] if best else None


# The branches of social security, and words for paying into or being covered by them: a
# question about contributions for two branches at once ("je cotise où pour ma retraite et
# ma santé ?", "waar ben ik verzekerd voor ziekte en pensioen?") asks which country's system
# covers the worker, the social_security topic, not either branch's own rules.
_BRANCHES = ("pension", "health_insurance", "unemployment_benefits", "family_allowances")
_COVER_WORDS = frozenset(
    """cotise cotises cotisent cotiser cotisons cotisez cotisation cotisations affilie affiliee
    assure assuree couvert couverte bijdragen bijdrage draag draagt verzekerd aangesloten
    betaal""".split()
)


def asks_which_system(text: str) -> bool:
    """True for a question about being covered for, or paying into, two or more branches of
    social security at once."""
    words = _words(text)
    if not _COVER_WORDS.intersection(words.split()):
        return False
    named = {
        topic for topic in _BRANCHES if any(_find(name, words) >= 0 for name in TOPIC_WORDS[topic])
    }
    return len(named) >= 2


_FOLLOW_UP_OPENINGS = frozenset("et en and puis quid ook aussi".split())


def is_follow_up_question(text: str) -> bool:
    """True for a message asked as a question or opened as a follow-up ("en de RSZ?",
    "et pour la mutuelle")."""
    words = _words(text).split()
    return bool(words) and (words[-1] == "?" or words[0] in _FOLLOW_UP_OPENINGS)


def is_short(text: str) -> bool:
    """True for a message short enough to be a follow-up ("et la sécu ?")."""
    return len([w for w in _words(text).split() if w != "?"]) <= FOLLOW_UP_MAX_WORDS


def render_term(term: Term, language: str) -> str:
    """The chat text of a glossary answer: what it is, then its official source(s)."""
    urls = term.source_urls(language)
    template = "faq.source_one" if len(urls) == 1 else "faq.source_many"
    source = messages.text(language, template).format(urls=" · ".join(urls))
    return f"{term.text[language]}\n\n{source}"
