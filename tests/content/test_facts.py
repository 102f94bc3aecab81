"""The corrected cross-border facts (issue 20): each check fails on the sentence it replaced.

Every case names a topic, the answer (situation key), the language, a check on the answer's
text, and the wrong sentence the knowledge file used to say. The test asserts both that the
current answer passes the check and that the old sentence fails it, so a check that cannot
fail is caught here too.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import knowledge

ROOT = Path(__file__).resolve().parents[2]


def _has(*needles: str) -> Callable[[str], bool]:
    """True when the text holds every needle (case-insensitive)."""
    return lambda text: all(needle.lower() in text.lower() for needle in needles)


def _lacks(*needles: str) -> Callable[[str], bool]:
    """True when the text holds none of the needles (case-insensitive)."""
    return lambda text: not any(needle.lower() in text.lower() for needle in needles)


@dataclass(frozen=True)
class Correction:
    topic: str
    key: str
    language: str
    what: str
    check: Callable[[str], bool]
    old: str


CORRECTIONS = [
    # taxes: Belgian residents working in France still pay the municipal surcharges.
    Correction(
        "taxes",
        "be-fr",
        "fr",
        "municipal surcharges since the 2008 amendment",
        _has("additionnels communaux", "2008", "SPF Finances"),
        "Vous déclarez aussi ces revenus en Belgique, où ils sont exonérés mais comptent pour "
        "le taux (réserve de progressivité). Pour le calcul de votre impôt, adressez-vous au "
        "service des impôts.",
    ),
    Correction(
        "taxes",
        "be-fr",
        "nl",
        "aanvullende gemeentebelasting, FOD Financiën, progressievoorbehoud explained",
        lambda t: (
            _has("aanvullende gemeentebelasting", "FOD Financiën", "tarief")(t)
            and _lacks("belastingdienst")(t)
        ),
        "In België geef je dat inkomen ook aan: het is er vrijgesteld, maar met "
        "progressievoorbehoud. Voor de berekening van je belasting kun je terecht bij de "
        "belastingdienst.",
    ),
    # taxes: French residents working in Belgium: telework days, the 30-day rule, which office.
    Correction(
        "taxes",
        "fr-be",
        "fr",
        "telework days taxed in France, 30 days, both tax offices",
        _has("télétravail", "30 jours", "SPF Finances", "centre des impôts"),
        "Seuls les frontaliers qui avaient ce statut au 31/12/2011 et l'ont gardé sans "
        "interruption restent imposés en France jusqu'à fin 2033 (formulaire 276 Front./Grens. "
        "chaque année).",
    ),
    Correction(
        "taxes",
        "fr-be",
        "nl",
        "telewerkdagen, 30 dagen, FOD Financiën",
        _has("telewerk", "30 dagen", "FOD Financiën"),
        "Alleen wie op 31/12/2011 al het grensarbeidersstatuut had en het ononderbroken behield, "
        "blijft tot eind 2033 in Frankrijk belast (elk jaar formulier 276 Front./Grens.).",
    ),
    # diploma recognition: FPS Public Health visa, Directive 2005/36, NARIC condition.
    *(
        Correction(
            "diploma_recognition",
            "general",
            language,
            "health professions and automatic recognition",
            _has(*needles),
            old,
        )
        for language, needles, old in (
            (
                "fr",
                ("SPF Santé publique", "2005/36", "emploi concret"),
                "Adressez-vous à NARIC-Vlaanderen en Flandre, à la Fédération Wallonie-Bruxelles "
                "en Wallonie, et à ENIC-NARIC France pour une attestation de comparabilité.",
            ),
            (
                "nl",
                ("FOD Volksgezondheid", "2005/36", "concrete job"),
                "In Vlaanderen ga je naar NARIC-Vlaanderen, in Wallonië naar de Federatie "
                "Wallonië-Brussel en in Frankrijk naar ENIC-NARIC France.",
            ),
        )
    ),
    # unemployment: France pays under French rules and France Travail decides.
    Correction(
        "unemployment_benefits",
        "fr-be",
        "fr",
        "French rules, minimum period, France Travail decides, coefficient to check",
        _has("règles françaises", "6 mois", "France Travail qui décide", "coefficient"),
        "Si vous perdez votre emploi en Belgique, c'est la France, votre pays de résidence, qui "
        "vous indemnise, sur la base de votre salaire belge : inscrivez-vous dès le premier jour "
        "à France Travail et demandez l'ARE.",
    ),
    Correction(
        "unemployment_benefits",
        "fr-be",
        "nl",
        "Franse regels, minimumperiode, France Travail beslist",
        _has("Franse regels", "6 maanden", "France Travail beslist", "coëfficiënt"),
        "Verlies je je job in België, dan betaalt Frankrijk als woonland de uitkering, berekend "
        "op je Belgische loon: schrijf je meteen de eerste dag in bij France Travail.",
    ),
    # family allowances: from the 2nd child in France; tell both payers; Brussels.
    *(
        Correction(
            "family_allowances",
            key,
            language,
            "French allowances from the 2nd child, both payers told",
            _has(second, both),
            old,
        )
        for key in ("fr-be-flanders", "fr-be-wallonia")
        for language, second, both, old in (
            (
                "fr",
                "2e enfant",
                "aux deux caisses",
                "Si l'autre parent travaille en France, la CAF paie en premier et la caisse "
                "belge verse la différence si son montant est plus élevé.",
            ),
            (
                "nl",
                "tweede kind",
                "beide uitbetalers",
                "Werkt de andere ouder in Frankrijk, dan betaalt de CAF eerst en past de "
                "Belgische uitbetaler het verschil bij als zijn bedrag hoger is.",
            ),
        )
    ),
    *(
        Correction(
            "family_allowances",
            "be-fr",
            language,
            "one child: Belgium pays; every change in both directions",
            _has(*needles),
            old,
        )
        for language, needles, old in (
            (
                "fr",
                ("un seul enfant", "dans un sens comme dans l'autre"),
                "Signalez tout changement d'emploi ou de domicile aux deux caisses.",
            ),
            (
                "nl",
                ("één kind", "in de ene en in de andere richting"),
                "Meld elke wijziging aan beide uitbetalers.",
            ),
        )
    ),
    *(
        Correction(
            "family_allowances",
            "fr-be-brussels",
            language,
            "Brussels answered with Famiris",
            _has("Famiris", brussels),
            old,
        )
        for language, brussels, old in (
            (
                "fr",
                "Bruxelles",
                "En Belgique, la réponse n'est pas la même en Flandre et en Wallonie. Dans "
                "quelle région travaillez-vous ?",
            ),
            (
                "nl",
                "Brussel",
                "In België is het antwoord niet hetzelfde in Vlaanderen en in Wallonië. In welk "
                "gewest werk je?",
            ),
        )
    ),
    # social security: the exceptions to "insured only where you work".
    *(
        Correction(
            "social_security",
            key,
            language,
            "posting, 25 % rule (art. 13), telework under 50 %",
            _has(posted, "25 %", "883/2004", "50 %", "A1"),
            old,
        )
        for key in ("fr-be", "be-fr")
        for language, posted, old in (
            (
                "fr",
                "détaché",
                "Vous êtes assuré uniquement en Belgique, là où vous travaillez, même si vous "
                "habitez en France. Si vous télétravaillez depuis la France, un accord-cadre "
                "permet de rester assuré en Belgique jusqu'à un peu moins de 50 % de "
                "télétravail, avec un formulaire A1.",
            ),
            (
                "nl",
                "gedetacheerd",
                "Je bent alleen verzekerd in België, waar je werkt, ook al woon je in Frankrijk. "
                "Met een kaderakkoord kun je tot net geen 50 % telewerken met een A1-formulier.",
            ),
        )
    ),
    # frontier worker: returning home at least once a week, in both directions.
    *(
        Correction("frontier_worker", "be-fr", language, "at least once a week", _has(week), old)
        for language, week, old in (
            (
                "fr",
                "au moins une fois par semaine",
                "Vous êtes frontalier pour la sécurité sociale et assuré en France (cotisations "
                "URSSAF, CPAM).",
            ),
            (
                "nl",
                "minstens één keer per week",
                "Je bent voor de sociale zekerheid grensarbeider en in Frankrijk verzekerd "
                "(URSSAF-bijdragen, CPAM).",
            ),
        )
    ),
    Correction(
        "frontier_worker",
        "fr-be",
        "fr",
        "numéro de registre national",
        _has("numéro de registre national"),
        "Sans numéro national belge, vous recevrez un numéro BIS.",
    ),
    # working conditions: European holidays after three months.
    *(
        Correction("working_conditions", "general", language, "European holidays", _has(h), old)
        for language, h, old in (
            (
                "fr",
                "vacances européennes",
                "en Belgique, les 20 jours annuels dépendent du travail de l'année précédente, "
                "donc la première année, prévoyez peu de congés.",
            ),
            (
                "nl",
                "Europese (aanvullende) vakantie",
                "in België hangen de 20 vakantiedagen af van je werk in het vorige jaar, dus "
                "reken het eerste jaar op weinig verlof.",
            ),
        )
    ),
    # commuting: no "about 75 %", CCT 19, car costs by sector, French 50 % sourced.
    *(
        Correction(
            "commuting",
            "general",
            language,
            "CCT 19 share to check, car costs by sector",
            lambda t, cct=cct, car=car: _has(cct, car, "50 %")(t) and _lacks("75 %")(t),
            old,
        )
        for language, cct, car, old in (
            (
                "fr",
                "CCT n° 19",
                "frais de voiture",
                "en Belgique, l'employeur paie en moyenne environ 75 % de l'abonnement de train "
                "et une indemnité vélo est en principe obligatoire ; en France, il rembourse 50 % "
                "de l'abonnement de transport en commun.",
            ),
            (
                "nl",
                "cao nr. 19",
                "Autokosten",
                "in België betaalt de werkgever gemiddeld ongeveer 75 % van het treinabonnement "
                "en is een fietsvergoeding in de regel verplicht; in Frankrijk betaalt hij 50 % "
                "van het abonnement op het openbaar vervoer terug.",
            ),
        )
    ),
    # job search services: free numbers cannot be dialled from the other country.
    *(
        Correction("job_search_services", "general", language, "calling from abroad", _has(*n), o)
        for language, n, o in (
            (
                "fr",
                ("depuis l'autre pays", "formulaire de contact"),
                "France Travail (ex-Pôle emploi, 3949), Le Forem en Wallonie (0800 93 947) et le "
                "VDAB en Flandre (0800 30 700).",
            ),
            (
                "nl",
                ("vanuit het andere land", "contactformulier"),
                "France Travail (vroeger Pôle emploi, 3949), Le Forem in Wallonië (0800 93 947) "
                "en VDAB in Vlaanderen (0800 30 700).",
            ),
        )
    ),
    # pension: only the rise of the age is suspended, until 1 January 2028.
    *(
        Correction("pension", "general", language, "age rise suspended to 2028", _has(*n), old)
        for language, n, old in (
            (
                "fr",
                ("reste en vigueur", "1er janvier 2028"),
                "en France, Carsat et Agirc-Arrco, avec un âge à vérifier sur info-retraite.fr "
                "car la réforme a été suspendue.",
            ),
            (
                "nl",
                ("blijft de hervorming van 2023 gelden", "1 januari 2028"),
                "in Frankrijk Carsat en Agirc-Arrco, met een leeftijd die je best nakijkt op "
                "info-retraite.fr omdat de hervorming is opgeschort.",
            ),
        )
    ),
    # privacy: deleted N days after the last message.
    *(
        Correction("privacy", "general", language, "after the last message", _has(n), old)
        for language, n, old in (
            ("fr", "après le dernier message", "(effacée automatiquement après 180 jours)"),
            ("nl", "na het laatste bericht", "(na 180 dagen automatisch gewist)"),
        )
    ),
    # project: a past project, not presented as current.
    *(
        Correction("project", "general", language, "the project in the past", _has(n), old)
        for language, n, old in (
            (
                "fr",
                "a réuni",
                "Né d'un projet européen Interreg France-Wallonie-Vlaanderen cofinancé par le "
                "FEDER, il réunit France Travail, le VDAB et Le Forem avec leurs partenaires.",
            ),
            (
                "nl",
                "samenbracht",
                "Hij groeide uit een Europees Interreg-project France-Wallonie-Vlaanderen met "
                "steun van het EFRO en brengt France Travail, VDAB en Le Forem samen.",
            ),
        )
    ),
    # Dutch wording a Flemish reader found unnatural.
    Correction(
        "health_insurance",
        "fr-be",
        "nl",
        "natural Dutch for care in both countries",
        _lacks("verzorgd worden"),
        "Vraag bij je ziekenfonds het S1-formulier aan: zo kun je in beide landen verzorgd worden.",
    ),
    Correction(
        "contracts",
        "general",
        "nl",
        "no 'eindpremie' for the French end-of-contract payment",
        _lacks("eindpremie"),
        "In Frankrijk geeft een tijdelijk contract in de regel recht op een eindpremie van 10 %.",
    ),
    Correction(
        "cv_application",
        "general",
        "nl",
        "no 'ongeveer gelijkwaardige tegenhanger'",
        _lacks("tegenhanger"),
        "je diploma's met hun ongeveer gelijkwaardige tegenhanger in het andere land",
    ),
]


def _text(correction: Correction) -> str:
    topic = knowledge.topics()[correction.topic]
    return knowledge.answer_text(topic.answers[correction.key], correction.language)


@pytest.mark.parametrize(
    "correction",
    CORRECTIONS,
    ids=[f"{c.topic}-{c.key}-{c.language}-{i}" for i, c in enumerate(CORRECTIONS)],
)
def test_the_corrected_answer_says_it_and_the_old_sentence_did_not(
    correction: Correction,
) -> None:
    assert not correction.check(correction.old), (
        f"the check must fail on the old sentence: {correction.what}"
    )
    assert correction.check(_text(correction)), (correction.what, _text(correction))


def _all_texts(language: str) -> list[tuple[str, str, str]]:
    return [
        (name, key, answer.text[language])
        for name, topic in knowledge.topics().items()
        for key, answer in topic.answers.items()
    ]


def test_dutch_answers_say_fod_financien_not_the_dutch_belastingdienst() -> None:
    found = [(n, k) for n, k, text in _all_texts("nl") if "belastingdienst" in text.lower()]
    assert not found
    assert "belastingdienst" in "voor de berekening kun je terecht bij de belastingdienst"


def test_dutch_answers_use_one_word_for_telework() -> None:
    found = [(n, k) for n, k, text in _all_texts("nl") if "thuiswerk" in text.lower()]
    assert not found, "telewerk, not thuiswerk"


BARE_DOMAIN = re.compile(r"(?<![/\w.])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:be|fr|eu|org|com|brussels)\b")


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_no_answer_writes_a_web_address_as_a_bare_domain(language: str) -> None:
    assert BARE_DOMAIN.search("avec un âge à vérifier sur info-retraite.fr car")
    found = [(n, k, BARE_DOMAIN.findall(t)) for n, k, t in _all_texts(language)]
    assert not [f for f in found if f[2]]


def test_volatile_personal_answers_carry_the_date() -> None:
    for name in ("health_insurance", "project", "taxes", "unemployment_benefits"):
        assert knowledge.topics()[name].volatile, name


def test_no_tracked_file_points_outside_the_repository() -> None:
    listed = subprocess.run(
        ["git", "grep", "-l", "-F", "../" + "shared", "--", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert listed.returncode in (0, 1), listed.stderr
    assert listed.stdout.split() == []
