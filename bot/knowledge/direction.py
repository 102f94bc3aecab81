"""Where the candidate lives and works: read from a message, remembered across messages.

Several answers (taxes, social security, health insurance, unemployment, family allowances,
frontier-worker status) depend on the direction of the commute: living in France and working
in Belgium (Flanders or Wallonia), or the reverse. A message such as "je vis à Tourcoing et je
vais bosser à Menen" or "en als ik in Frankrijk ga werken?" says part or all of it; this module
reads that with the place names of bot.gazetteer and a few verbs, in French and Dutch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from bot import gazetteer
from bot.text import fold

FRANCE, BELGIUM = "fr", "be"
COUNTRIES = (FRANCE, BELGIUM)
FLANDERS, WALLONIA, BRUSSELS = "flanders", "wallonia", "brussels"
REGIONS = (FLANDERS, WALLONIA, BRUSSELS)

# Place names that are also everyday words ("hem" is Dutch for "him"): never read as places.
_COMMON_WORDS = frozenset({"hem", "hal", "pek", "gits"})

_REGION_OF_CSV = {"Vlaanderen": FLANDERS, "Wallonie": WALLONIA, "Bruxelles": BRUSSELS}

# Country and region words (folded). "belge"/"francais" only count after "côté"/"kant"
# ("je suis belge" says nothing about where someone lives or works).
_AREAS: dict[str, tuple[str, str | None]] = {
    "france": (FRANCE, None),
    "frankrijk": (FRANCE, None),
    "noord-frankrijk": (FRANCE, None),
    "nord de la france": (FRANCE, None),
    "hauts-de-france": (FRANCE, None),
    "pas-de-calais": (FRANCE, None),
    "cote francais": (FRANCE, None),
    "cote francaise": (FRANCE, None),
    "franse kant": (FRANCE, None),
    "frans grondgebied": (FRANCE, None),
    "belgique": (BELGIUM, None),
    "belgie": (BELGIUM, None),
    "belgium": (BELGIUM, None),
    "cote belge": (BELGIUM, None),
    "belgische kant": (BELGIUM, None),
    "flandre": (BELGIUM, FLANDERS),
    "flandres": (BELGIUM, FLANDERS),
    "flandre occidentale": (BELGIUM, FLANDERS),
    "vlaanderen": (BELGIUM, FLANDERS),
    "west-vlaanderen": (BELGIUM, FLANDERS),
    "cote flamand": (BELGIUM, FLANDERS),
    "partie flamande": (BELGIUM, FLANDERS),
    "vlaamse kant": (BELGIUM, FLANDERS),
    "wallonie": (BELGIUM, WALLONIA),
    "hainaut": (BELGIUM, WALLONIA),
    "henegouwen": (BELGIUM, WALLONIA),
    "wallonie picarde": (BELGIUM, WALLONIA),
    "cote wallon": (BELGIUM, WALLONIA),
    "waalse kant": (BELGIUM, WALLONIA),
    "bruxelles": (BELGIUM, BRUSSELS),
    "brussel": (BELGIUM, BRUSSELS),
    "brussels": (BELGIUM, BRUSSELS),
    "region bruxelloise": (BELGIUM, BRUSSELS),
    "brussels gewest": (BELGIUM, BRUSSELS),
    # The French département du Nord and French Flanders (longer than "flandre": they win).
    "dans le nord": (FRANCE, None),
    "departement du nord": (FRANCE, None),
    "nord-pas-de-calais": (FRANCE, None),
    "flandre francaise": (FRANCE, None),
    "flandre maritime": (FRANCE, None),
    "frans-vlaanderen": (FRANCE, None),
    "noorden van frankrijk": (FRANCE, None),
    "cote belge de la frontiere": (BELGIUM, None),
    "cote francais de la frontiere": (FRANCE, None),
    "cote francaise de la frontiere": (FRANCE, None),
}

# A frontier worker lives on one side and works on the other: "frontalier" (or
# "grensarbeider") with one side known gives the other one.
_FRONTIER_WORDS = frozenset(
    """frontalier frontaliere frontaliers frontalieres transfrontalier transfrontaliere
    grensarbeider grensarbeidster grensarbeiders grenspendelaar grenspendelaars""".split()
)
# "frontalier belge" is said as "frontalier suisse" is: one who works in Belgium from France;
# a Flemish "Franse grensarbeider" is one who lives in France. "frontalier français" and
# "Belgische grensarbeider" are said both ways, so they say nothing by themselves.
_FRONTIER_PHRASES: dict[str, tuple[str, str]] = {
    "frontalier belge": (FRANCE, BELGIUM),
    "frontaliere belge": (FRANCE, BELGIUM),
    "frontaliers belges": (FRANCE, BELGIUM),
    "frontalier en belgique": (FRANCE, BELGIUM),
    "frontaliere en belgique": (FRANCE, BELGIUM),
    "frontalier en france": (BELGIUM, FRANCE),
    "frontaliere en france": (BELGIUM, FRANCE),
    "franse grensarbeider": (FRANCE, BELGIUM),
    "franse grensarbeidster": (FRANCE, BELGIUM),
    "grensarbeider in belgie": (FRANCE, BELGIUM),
    "grensarbeider in frankrijk": (BELGIUM, FRANCE),
}

# Words that say what the next place is: where one lives, or where one works.
_PUNCTUATION = frozenset(",.;:!?")
_CONJUNCTIONS = frozenset("et mais ou si puis alors maar of als dan want terwijl".split())

_RESIDENCE_CUES = frozenset(
    """habite habites habitons habitez habiter habitant habitante vis vit vivons vivez vivre
    reside residez resider residant domicilie domiciliee demeure loge installe installee
    woon woont wonen woonde woonachtig gedomicilieerd verhuis verhuisd verhuizen""".split()
)
_WORK_CUES = frozenset(
    """travaille travailles travaillons travaillez travailler travail bosse bosses bossez bosser
    boulot taf job jobs emploi poste embauche embauchee employe employee engage engagee
    travaillais bossais mute mutee employeur patron boite entreprise usine contrat cdd cdi
    interim mission stage licencie licenciee commence commencer demarre salarie salariee
    werk werkt werken werkte gewerkt werkgever tewerkgesteld baas bedrijf fabriek contract
    firma interimcontract uitzendcontract ontslagen aangenomen pendel pendelen begin begint dienst
    beginnen start starten slag""".split()
)


@dataclass(frozen=True)
class Situation:
    """Country of residence, country of work and, in Belgium, the region of work."""

    residence: str | None = None
    work: str | None = None
    work_region: str | None = None

    @property
    def key(self) -> str | None:
        """``fr-be`` or ``be-fr`` when the situation is a cross-border one, else None."""
        if self.residence and self.work and self.residence != self.work:
            return f"{self.residence}-{self.work}"
        return None

    def is_empty(self) -> bool:
        return self.residence is None and self.work is None and self.work_region is None


@dataclass(frozen=True)
class _Place:
    country: str
    region: str | None
    # A name used on both sides of the border (Lens, Comines): country "" and the places it
    # may be, decided by the other side of the situation when that one is known.
    options: tuple[tuple[str, str | None], ...] = ()

    def across(self, other: _Place | None) -> _Place | None:
        """This place; for a name used on both sides, the one across the border from
        ``other`` (someone who lives in Lens and works in Belgium lives in the French Lens),
        or None when ``other`` does not tell."""
        if not self.options:
            return self
        if other is None or other.options:
            return None
        sides = [_Place(country, region) for country, region in self.options]
        return next((p for p in sides if p.country != other.country), None)


def read(text: str) -> Situation:
    """What ``text`` says about where its writer lives and works (unknown parts are None).

    A place or country takes the role of the verb of its clause: the verb before it ("j'habite
    à Lille et je bosse à Courtrai") or, as Dutch puts it, after it ("als ik in Frankrijk ga
    werken"). Two places without any verb are read in the order of the question the assistant
    asks ("Lille, Kortrijk": lives, then works). Later mentions win ("Comines, côté belge").
    """
    tokens = _tokens(text)
    found: dict[str, _Place] = {}
    workplaces: list[_Place] = []
    unassigned: list[_Place] = []
    pending: list[_Place] = []
    role: str | None = None
    i = 0
    while i < len(tokens):
        token = tokens[i]
        place, length = _match_place(tokens, i)
        if place is not None:
            if role:
                found[role] = place
                if role == "work":
                    workplaces.append(place)
            else:
                pending.append(place)
            i += length
            continue
        cue = (
            "residence"
            if token in _RESIDENCE_CUES or _is_from(tokens, i)
            else "work"
            if token in _WORK_CUES or token in _FRONTIER_WORDS or token in _POSTING_WORDS
            else None
        )
        if cue:
            role = cue
            for earlier in pending:
                found[cue] = earlier
            pending = []
        elif _is_boundary(tokens, i) and not _lists_places(tokens, i):
            unassigned.extend(pending)
            pending, role = [], None
        i += 1
    unassigned.extend(pending)
    if (
        not found
        and len(unassigned) == 2
        and not any(p.options for p in unassigned)
        and unassigned[0].country != unassigned[1].country
    ):
        found = {"residence": unassigned[0], "work": unassigned[1]}
    # One side said with its verb and one place without ("ik woon in Lens en ga in Ieper aan
    # de slag": "slag" came after Ieper's clause ended): a place of the other country, or a
    # name used on both sides, is the other side; one of the same country only says more
    # about the side already said ("aan de Franse kant, vlak bij Halluin").
    if len(found) == 1 and len(unassigned) == 1:
        [(role, said)] = found.items()
        place = unassigned[0]
        if said.options or place.options or said.country != place.country:
            found["work" if role == "residence" else "residence"] = place
    said_residence, said_work = found.get("residence"), found.get("work")
    residence = said_residence.across(said_work) if said_residence else None
    work = said_work.across(said_residence) if said_work else None
    # Working on both sides ("à la fois à Lille et à Courtrai"): the cross-border workplace.
    abroad = [
        p for p in workplaces if residence and not p.options and p.country != residence.country
    ]
    if abroad:
        work = abroad[-1]
    situation = Situation(
        residence=residence.country if residence else None,
        work=work.country if work else None,
        work_region=work.region if work and work.country == BELGIUM else None,
    )
    return _as_posted_worker(tokens, _as_frontier_worker(tokens, situation))


# A posted worker is sent by an employer of one country to work in the other one, and lives
# in the employer's country as a rule: "mon patron français m'envoie à Gand".
_POSTING_WORDS = frozenset(
    """envoie envoye envoyee envoyer detache detachee detachement detaches
    stuurt gestuurd sturen gedetacheerd detachering""".split()
)
_EMPLOYER_WORDS = frozenset(
    """patron employeur entreprise boite societe firme
    baas werkgever bedrijf firma""".split()
)
_COUNTRY_ADJECTIVES = {
    "francais": FRANCE,
    "francaise": FRANCE,
    "franse": FRANCE,
    "frans": FRANCE,
    "belge": BELGIUM,
    "belgische": BELGIUM,
    "belgisch": BELGIUM,
}


def _as_posted_worker(tokens: list[str], situation: Situation) -> Situation:
    """The residence of a posted worker: the country of the employer who sends them."""
    if situation.residence or not situation.work or not _POSTING_WORDS.intersection(tokens):
        return situation
    for i, token in enumerate(tokens):
        if token not in _EMPLOYER_WORDS:
            continue
        for near in tokens[max(0, i - 1) : i + 2]:
            country = _COUNTRY_ADJECTIVES.get(near)
            if country and country != situation.work:
                return replace(situation, residence=country)
    return situation


def _as_frontier_worker(tokens: list[str], situation: Situation) -> Situation:
    """The situation completed by what "frontalier belge", "grensarbeider"... say."""
    words = " ".join(token for token in tokens if token not in _PUNCTUATION)
    if situation.is_empty():
        for phrase, (residence, work) in _FRONTIER_PHRASES.items():
            if re.search(rf"\b{phrase}\b", words):
                return Situation(residence=residence, work=work)
    if not _FRONTIER_WORDS.intersection(tokens):
        return situation
    if situation.work and not situation.residence:
        return replace(situation, residence=_other(situation.work))
    if situation.residence and not situation.work:
        return replace(situation, work=_other(situation.residence))
    return situation


def merge(known: Situation, said: Situation) -> Situation:
    """The situation after a message that said ``said``, given what was ``known`` before.

    The assistant is about cross-border work, so when a message gives only one side and it
    lands on the same country as the remembered other side ("et si je travaille en France ?"
    after an answer for living in France and working in Belgium), the other side flips.
    """
    if said.is_empty():
        return known
    residence = said.residence or known.residence
    work = said.work or known.work
    region = said.work_region if said.work else known.work_region
    if residence and work and residence == work:
        if said.residence and not said.work:
            work, region = _other(residence), None
        elif said.work and not said.residence:
            residence = _other(work)
    if work != BELGIUM:
        region = None
    return replace(known, residence=residence, work=work, work_region=region)


def from_values(residence: object, work: object, region: object) -> Situation:
    """A situation from slot or entity values, ignoring anything unexpected."""
    return Situation(
        residence=residence if residence in COUNTRIES else None,
        work=work if work in COUNTRIES else None,
        work_region=region if region in REGIONS else None,
    )


def _other(country: str) -> str:
    return BELGIUM if country == FRANCE else FRANCE


def _words(text: str) -> list[str]:
    """Folded words; hyphenated names stay one word ("Comines-Warneton")."""
    return [token for token in _tokens(text) if token not in _PUNCTUATION]


def _tokens(text: str) -> list[str]:
    """Folded words and clause punctuation; apostrophes split ("l'Ypres")."""
    return re.findall(r"[\w-]+|[,.;:!?]", fold(text).replace("'", " ").replace("’", " "))


_LINKS = frozenset("a au aux en in te op dans".split())


def _lists_places(tokens: list[str], i: int) -> bool:
    """True when the conjunction at ``i`` joins two places of one clause ("à Lille et à
    Courtrai", "zowel in Rijsel als in Kortrijk"): the role goes on; not when a verb follows
    the second place ("als ik in Menen woon en in Halluin werk")."""
    if tokens[i] not in _CONJUNCTIONS and tokens[i] not in ("als", "en"):
        return False
    j = i + 1
    while j < len(tokens) and tokens[j] in _LINKS:
        j += 1
    place, length = _match_place(tokens, j) if j < len(tokens) else (None, 1)
    if place is None:
        return False
    # A Dutch clause puts its verb last: "in Menen woon en in Halluin werk" starts a clause.
    after = tokens[j + length] if j + length < len(tokens) else ""
    return after not in _RESIDENCE_CUES and after not in _WORK_CUES


# "je suis de Maubeuge", "je suis sur Lens", "je suis à Lille": where one lives.
_FROM_WORDS = frozenset("de du d sur a".split())


def _is_from(tokens: list[str], i: int) -> bool:
    """ "je suis de Maubeuge", "je suis du côté belge", "je suis sur Lens": the place one
    lives in.

    Only before a place, so "je suis belge" and "je suis de nationalité belge" say nothing.
    """
    if tokens[i] != "suis" or i + 1 >= len(tokens) or tokens[i + 1] not in _FROM_WORDS:
        return False
    return _match_place(tokens, i + 2)[0] is not None


def _is_boundary(tokens: list[str], i: int) -> bool:
    """True where a new clause starts: punctuation or a conjunction.

    "en" is the Dutch "and" but also the French "in" ("en France"): it only ends a clause
    when no place follows it.
    """
    token = tokens[i]
    if token in _PUNCTUATION or token in _CONJUNCTIONS:
        return True
    return token == "en" and _match_place(tokens, i + 1)[0] is None


def _match_place(words: list[str], start: int) -> tuple[_Place | None, int]:
    """The longest place or area name starting at ``words[start]`` (up to four words)."""
    table = _places()
    for length in range(min(4, len(words) - start), 0, -1):
        name = " ".join(words[start : start + length])
        if name in table:
            return table[name], length
    return None, 1


@lru_cache(maxsize=1)
def _places() -> dict[str, _Place]:
    """Folded place names (French, Dutch, aliases) of the gazetteer, plus country words.

    A name used on both sides of the border (Comines, Lens) says only that it is one of two
    places (``_Place.options``).
    """
    seen: dict[str, set[tuple[str, str | None]]] = {}
    for place in gazetteer.places():
        country = FRANCE if place.country == "FR" else BELGIUM
        region = _REGION_OF_CSV.get(place.region) if country == BELGIUM else None
        for name in set(place.names):
            folded = " ".join(_words(name))
            seen.setdefault(folded, set()).add((country, region))
            seen.setdefault(folded.replace("-", " "), set()).add((country, region))
    table = {
        name: _Place(*next(iter(found)))
        if len(found) == 1
        else _Place("", None, tuple(sorted(found, key=str)))
        for name, found in seen.items()
        if name not in _COMMON_WORDS
    }
    table.update({name: _Place(*area) for name, area in _AREAS.items()})
    table.update({name.replace("-", " "): _Place(*area) for name, area in _AREAS.items()})
    return table
