"""Which language is a message in: French, Dutch or another one, with a confidence.

Detection combines an offline statistical detector (lingua) with the project's own
evidence: words shared by French and Flemish chat ("merci", "ok", "allez", "job"),
place names in either language and numbers carry no language evidence and are removed
before detection, while function words that exist in only one language ("le", "pas",
"het", "niet") weigh strongly. Whether the conversation changes language is decided apart,
in :mod:`bot.language.policy`.

Besides the hand-written function words, the words that the project's own training data
uses in one language only ("frontalier", "carsat", "attest", "vakantiegeld") count as
markers too: they are learned from data/nlu_fr/ and data/nlu_nl/ when first needed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot import gazetteer, references
from bot.config import PROJECT_DIR
from bot.language.codes import DUTCH, FRENCH, OTHER, SUPPORTED
from bot.text import fold
from bot.training import data as training_data

# A message is answered with "I speak French and Dutch" only when it is clearly in a
# third language: "hello" alone is used by French and Flemish speakers alike.
FOREIGN_MIN_WORDS = 3
FOREIGN_MIN_CONFIDENCE = 0.8

# Words used as they are by French and Flemish speakers ("merci", "ok", "allez", "job").
_NEUTRAL_WORDS = frozenset(
    """
    merci mercikes beaucoup salut salu salukes ca va ça allez allee alleï bon voila voilà
    enfin soit ok oke oké okay oki okido okidoki sorry pardon excuse excuseer allo
    hello hey hi job jobs jobdating interim intérim cv gsm camion chauffeur frigo velo vélo
    trottoir content dossier info infos formulaire formulier sante santé bye ciao lol mdr
    thx tnx svp stp aub email e-mail mail www http https com be fr nl eu
    """.split()
)

# Function words and very frequent forms that exist in one language only ("je" is not one:
# "ken je", "heb je" are Dutch as much as "je cherche" is French).
_MARKERS = {
    FRENCH: frozenset(
        """
        le la les des du au aux à un une et est pas ne j jsuis jcherche tu vous nous il
        elle ils on suis es sont ai as avez avons fait faire pour avec sans sur dans chez
        que qui quoi quel quelle quels comment où ou pourquoi combien mais donc car très
        mon ma mes ton ta votre vos notre nos ce cette ces cela ça c qu l d s m n t y
        bonjour bonsoir coucou oui non ouais peux peut veux voudrais parler parlez
        travail travailler boulot cherche emploi merci bien aussi encore parle français
        néerlandais avoir être plait plaît il slt bjr bsr jsuis chui jsp jsais taf taff
        bosser bosse boulot dacc dac ouais wé oué mrc dsl pk pq bcp tjrs rdv dispo wesh
        bah hein ben bref alors tout rien ici là vraiment fais dois sais existe hors chui
        """.split()
    ),
    DUTCH: frozenset(
        """
        het een ik jij jullie ge gij wij we zij hij niet geen ook nog wel maar voor met
        van op bij naar uit over wat hoe waar waarom wanneer welke wie kan kun kunt mag
        moet moeten wil wilt zou ben bent zijn heb hebt heeft hebben is er dat dit deze
        die mijn jouw uw ons onze mij mijne zoek zoeken werk werken graag dank bedankt
        goeiedag goedendag goeiemorgen dag hoi ja nee neen alsjeblieft alstublieft
        spreek spreken praten nederlands frans vlaams liever iemand mens k kzoek kheb
        tot ziens amai goesting efkes seffens ambetant plezant hebde hedde zijde kunde nen
        dnk idd mss wrm gwn zoiezo hallokes goeiemiddag goeienavond kweet kben kga
        ga gaat gaan zit zitten doe doen weet denk vind heel echt toch alles iets niets nu
        hier daar eens effe hè hallo
        """.split()
    ),
}
# How much one marker weighs against lingua's scores, per share of the message's words.
# Function words decide more than the learned words of the training data, which are the
# administrative terms people borrow from the other language ("Wat is een prime de
# précarité?", "mon werkgever ne m'a pas envoyé ma loonfiche"). Chosen on tests/nlu_dev
# (docs/decisions.md, "Function words decide a mixed sentence").
_FUNCTION_WORD_WEIGHT = 3.0
_LEARNED_WEIGHT = 2.0
# How much lingua's score for a third language weighs against French or Dutch with their
# marker evidence; between 1.1 and 1.25 the same messages of tests/nlu_dev go wrong
# (docs/decisions.md, "A third language is weighed against the markers").
_OTHER_WEIGHT = 1.2

# A word of the training data is a learned marker of a language when at least this many
# examples of that language use it, and at least LEARNED_MIN_RATIO times as many as of the
# other language: "frontalier" is in 109 French examples and in 3 Dutch ones, where a Flemish
# speaker borrows it. Between 10 and 30 the same messages of tests/nlu_dev go wrong; at 5,
# "je" (also Dutch: "heb je") would become a French marker.
LEARNED_MIN_EXAMPLES = 2
LEARNED_MIN_RATIO = 20
TRAINING_FOLDERS = {FRENCH: PROJECT_DIR / "data" / "nlu_fr", DUTCH: PROJECT_DIR / "data" / "nlu_nl"}

_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
_STRIP_RE = re.compile(r"\S+@\S+|https?://\S+|www\.\S+|\b[A-Z0-9]{6}\b")


@dataclass(frozen=True)
class Detection:
    """The language of one message.

    Attributes:
        name: ``fr``, ``nl`` or ``other``.
        confidence: between 0 and 1.
        words: how many informative words the decision rests on (neutral words, place
            names and numbers are not counted).
    """

    name: str
    confidence: float
    words: int

    def as_dict(self) -> dict[str, object]:
        """Return the JSON form used in Rasa's parse data."""
        return {"name": self.name, "confidence": round(self.confidence, 4), "words": self.words}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Detection | None:
        """Read the JSON form back; ``None`` when the message carried no detection."""
        if not data or data.get("name") not in (*SUPPORTED, OTHER):
            return None
        return cls(
            str(data["name"]), float(data.get("confidence") or 0.0), int(data.get("words") or 0)
        )


@lru_cache(maxsize=1)
def place_words() -> frozenset[str]:
    """Every word of every place name in French, Dutch and aliases (no language evidence)."""
    words: set[str] = set()
    for place in gazetteer.places():
        for name in place.names:
            words.update(fold(w) for w in _WORD_RE.findall(name))
    # Words that are place-name parts but also everyday function words keep their weight.
    return frozenset(words.difference(*_folded_markers().values()))


@lru_cache(maxsize=1)
def _neutral() -> frozenset[str]:
    return frozenset(fold(w) for w in _NEUTRAL_WORDS) | place_words()


@lru_cache(maxsize=1)
def _folded_markers() -> dict[str, frozenset[str]]:
    return {lang: frozenset(fold(w) for w in words) for lang, words in _MARKERS.items()}


def learn_markers(
    examples: dict[str, list[str]],
    min_examples: int = LEARNED_MIN_EXAMPLES,
    min_ratio: int = LEARNED_MIN_RATIO,
) -> dict[str, frozenset[str]]:
    """The folded words used by the examples of one language far more than by the other's.

    Args:
        examples: the example texts of each language (``fr``, ``nl``).
        min_examples: how many examples of the language must use a word.
        min_ratio: how many times as many examples of the language as of the other one.
    """
    from lingua import Language

    # How many examples of each language use each word (a word counts once per example).
    counts = {
        lang: Counter(
            word
            for text in examples.get(lang, [])
            for word in {fold(w) for w in informative_words(text)}
        )
        for lang in SUPPORTED
    }

    # Words that look more English than French or Dutch ("online", "workshop", "thanks") are
    # not markers: an English message made of them must still get "I speak French and Dutch".
    own_language = {FRENCH: Language.FRENCH, DUTCH: Language.DUTCH}

    def looks_english(word: str, lang: str) -> bool:
        values = {v.language: v.value for v in _detector().compute_language_confidence_values(word)}
        english, own = values.get(Language.ENGLISH, 0.0), values.get(own_language[lang], 0.0)
        return float(english) > float(own)

    learned = {}
    for lang, other in ((FRENCH, DUTCH), (DUTCH, FRENCH)):
        learned[lang] = frozenset(
            word
            for word, count in counts[lang].items()
            if count >= min_examples
            and counts[other][word] * min_ratio <= count
            and len(word) > 1
            and not looks_english(word, lang)
        )
    return learned


@lru_cache(maxsize=1)
def _learned_markers() -> dict[str, frozenset[str]]:
    """The markers learned from the training data that are not hand-written ones, per language."""
    examples = {
        lang: [
            text
            for lines in training_data.examples_in(folder, plain=True).values()
            for text in lines
        ]
        for lang, folder in TRAINING_FOLDERS.items()
        if folder.is_dir()
    }
    learned = learn_markers(examples)
    return {
        lang: learned.get(lang, frozenset()) - words for lang, words in _folded_markers().items()
    }


@lru_cache(maxsize=1)
def _all_markers() -> frozenset[str]:
    """Every marker of both languages, hand-written and learned."""
    return frozenset().union(*_folded_markers().values(), *_learned_markers().values())


def informative_words(text: str, markers: frozenset[str] | None = None) -> list[str]:
    """Return the words of ``text`` that can tell French from Dutch.

    Args:
        text: the message.
        markers: with the folded markers of both languages, a capitalised word after the
            first one that is no marker is left out too: names of people, firms and
            agencies ("ik ben Nora El Idrissi", "chez Agentschap Integratie") tell nothing
            about the sentence's language. A message without lower case keeps them.
    """
    cleaned = references.without_references(_STRIP_RE.sub(" ", text))
    words = _WORD_RE.findall(cleaned)
    neutral = _neutral()
    keep_names = markers is None or not any(c.islower() for c in cleaned)
    return [
        w
        for i, w in enumerate(words)
        if fold(w) not in neutral
        and (keep_names or i == 0 or not w[0].isupper() or fold(w) in markers)  # type: ignore[operator]
    ]


@lru_cache(maxsize=1)
def _detector():  # type: ignore[no-untyped-def]
    from lingua import Language, LanguageDetectorBuilder

    languages = [
        Language.FRENCH,
        Language.DUTCH,
        Language.ENGLISH,
        Language.GERMAN,
        Language.SPANISH,
        Language.ITALIAN,
        Language.PORTUGUESE,
    ]
    return (
        LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()
    )


def _statistical_scores(text: str) -> dict[str, float]:
    from lingua import Language

    scores = {FRENCH: 0.0, DUTCH: 0.0, OTHER: 0.0}
    for value in _detector().compute_language_confidence_values(text):
        if value.language == Language.FRENCH:
            scores[FRENCH] += value.value
        elif value.language == Language.DUTCH:
            scores[DUTCH] += value.value
        else:
            scores[OTHER] += value.value
    return scores


def detect(text: str) -> Detection:
    """Detect the language of one message (``fr``, ``nl`` or ``other``).

    A message with no informative word ("ok", "Kortrijk", "merci", "06 12 34 56 78")
    gets a low confidence and ``words == 0``: callers keep the conversation's language.
    """
    function_words, learned = _folded_markers(), _learned_markers()
    words = informative_words(text, _all_markers())
    if not words:
        scores = _statistical_scores(text) if text.strip() else {FRENCH: 0.5, DUTCH: 0.5}
        best = max((FRENCH, DUTCH), key=lambda lang: scores.get(lang, 0.0))
        return Detection(best, 0.5, 0)

    scores = _statistical_scores(" ".join(words))
    folded = [fold(word) for word in words]
    function_hits = {lang: sum(w in function_words[lang] for w in folded) for lang in SUPPORTED}
    learned_hits = {lang: sum(w in learned[lang] for w in folded) for lang in SUPPORTED}
    statistical_other = scores[OTHER] / (sum(scores.values()) or 1.0)
    for lang in SUPPORTED:
        evidence = _FUNCTION_WORD_WEIGHT * function_hits[lang]
        scores[lang] += (evidence + _LEARNED_WEIGHT * learned_hits[lang]) / len(words)
    # A third language wins when lingua's score for it, weighed up, still beats French and
    # Dutch with their markers' evidence. Chat French ("slt jcherche un taf") and French with
    # English words ("un job de developer full remote") look foreign to lingua but carry
    # markers, while one English "is" or Spanish "es" must not make a sentence Dutch or French.
    if _OTHER_WEIGHT * scores[OTHER] >= max(scores[FRENCH], scores[DUTCH]):
        return Detection(OTHER, statistical_other, len(words))
    name = max(SUPPORTED, key=lambda lang: scores[lang])
    # The confidence is how clearly the message is one language rather than the other,
    # which is what the switch decision needs.
    return Detection(name, scores[name] / (scores[FRENCH] + scores[DUTCH] or 1.0), len(words))


# Names of the two languages, as people write them in either language ("en flamand svp",
# "kan het in het Frans?"): they tell which language a switch request asks for.
_LANGUAGE_NAMES = {
    FRENCH: frozenset("francais franse frans french franstalig francophone fr".split()),
    DUTCH: frozenset(
        "neerlandais flamand flamande nederlands vlaams dutch nederlandstalig "
        "neerlandophone nl".split()
    ),
}


# Words that deny the language named next to them: "ik spreek geen Frans", "kspreek gin
# Frans", "je ne parle pas néerlandais", "ik versta het Frans niet" ask for the other one.
_NEGATIONS = frozenset("geen gin gene niet nie ni nieje pas point jamais aucun no not".split())
# How many words before the name (after it: Dutch "niet" only) a negation reaches, not
# counting the words of "pas un mot de", "geen woord", "le", "het".
_NEGATION_BEFORE = 3
_NEGATION_AFTER = 2
_AFTER_NEGATIONS = frozenset("niet nie ni nieje".split())
_FILLERS = frozenset("un mot de du le la l les d een woord het t echt goed beetje bien".split())
# "pas de souci, en néerlandais": a negation of something else.
_NOT_ABOUT_LANGUAGE = frozenset(
    "souci soucis probleme problemes grave mal besoin probleem problemen erg nodig zorgen".split()
)


@dataclass(frozen=True)
class LanguageName:
    """A language named in a message: its character span and the code asked for.

    ``value`` is the language the mention asks for: the named one, or the other one when the
    name is denied ("ik spreek geen Frans": ``nl``, ``negated`` True).
    """

    start: int
    end: int
    text: str
    value: str
    negated: bool = False


def named_languages(text: str) -> list[LanguageName]:
    """Every mention of French or Dutch by name in ``text``, in order."""
    matches = list(_WORD_RE.finditer(text))
    words = [fold(match.group()) for match in matches]
    found = []
    for i, match in enumerate(matches):
        for language, names in _LANGUAGE_NAMES.items():
            if words[i] in names:
                before = _before(words, i)
                after = words[i + 1 : i + 1 + _NEGATION_AFTER]
                negated = any(w in _NEGATIONS for w in before) or any(
                    w in _AFTER_NEGATIONS for w in after
                )
                value = (DUTCH if language == FRENCH else FRENCH) if negated else language
                found.append(
                    LanguageName(match.start(), match.end(), match.group(), value, negated)
                )
    return found


def _before(words: list[str], i: int) -> list[str]:
    """The words that may deny the language name at ``i``: the last few before it, fillers
    left out, a negation of something else ("pas de souci") left out with its object."""
    kept: list[str] = []
    for j in range(i - 1, -1, -1):
        if len(kept) == _NEGATION_BEFORE:
            break
        if words[j] in _FILLERS:
            continue
        if words[j] in _NEGATIONS and any(w in _NOT_ABOUT_LANGUAGE for w in words[j + 1 : i]):
            continue
        kept.append(words[j])
    return kept


# Countries and regions: "alleen in Frankrijk", "que en Belgique" limit a search, they ask
# for no language.
_COUNTRY_WORDS = frozenset(
    """
    france frankrijk frankrijks belgique belgie belgië belgium belg belge belges flandre
    flandres vlaanderen wallonie wallonië wallonia nord hainaut henegouwen picardie
    """.split()
)


def names_a_country_not_a_language(text: str) -> bool:
    """True when ``text`` names a country or region and neither language by name.

    A ``switch_language`` guess for such a message is a limit on a search ("alleen in
    Frankrijk", "seulement en Belgique"), not a request to change language.
    """
    words = {fold(w) for w in _WORD_RE.findall(text)}
    return bool(words & {fold(w) for w in _COUNTRY_WORDS}) and not named_languages(text)


def is_foreign(detection: Detection) -> bool:
    """True when a message is clearly in a language the assistant does not speak."""
    return (
        detection.name == OTHER
        and detection.words >= FOREIGN_MIN_WORDS
        and detection.confidence >= FOREIGN_MIN_CONFIDENCE
    )
