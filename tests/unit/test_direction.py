"""Reading where a candidate lives and works, and remembering it across messages."""

from __future__ import annotations

import pytest

from bot.knowledge.direction import Situation, from_values, merge, read

FR_FLANDERS = Situation("fr", "be", "flanders")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("je vis à Tourcoing et je vais bosser à Menen, je paie mes impôts où ?", FR_FLANDERS),
        ("ik woon in Menen en werk in Tourcoing", Situation("be", "fr")),
        ("j'habite côté français, boulot à Tournai", Situation("fr", "be", "wallonia")),
        ("ik woon in Rijsel en ik zou in Kortrijk werken", FR_FLANDERS),
        ("Lille, Kortrijk", FR_FLANDERS),
        ("en als ik in Frankrijk ga werken?", Situation(work="fr")),
        ("moi je vis en Belgique", Situation(residence="be")),
        ("je bosse en Flandre", Situation(work="be", work_region="flanders")),
        ("non je vis à Comines côté belge", Situation(residence="be")),
        (
            "moet ik Nederlands kennen om in Moeskroen te werken?",
            Situation(work="be", work_region="wallonia"),
        ),
        ("J'habite à Mons-en-Barœul, je bosse à Mons", Situation("fr", "be", "wallonia")),
    ],
)
def test_read_finds_each_side_in_french_and_dutch(text: str, expected: Situation) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    "text",
    ["ik heb hem gezien", "je suis belge", "bonjour, comment ça va ?", "Lens", "Lille et Roubaix"],
)
def test_read_ignores_common_words_nationalities_and_ambiguous_places(text: str) -> None:
    assert read(text).is_empty()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Lens is a town of the Pas-de-Calais and of Hainaut: the other side decides.
        ("j'habite à Lens et je travaille en Belgique", Situation("fr", "be")),
        ("je travaille à Lens, j'habite à Mons", Situation("be", "fr")),
        ("ik woon in Lens en werk in Kortrijk", FR_FLANDERS),
        ("je vis à Lille et je bosse à Lens", Situation("fr", "be", "wallonia")),
        ("j'habite à Lens et je travaille à Lens", Situation()),
        ("Lens, Kortrijk", Situation()),  # no verb: which is which is not said
        ("je suis sur Lens et j'ai décroché un CDI côté flamand", FR_FLANDERS),
        # One side said with its verb, the other place in a clause of its own.
        ("ik woon in Lens en ga binnenkort in Brugge aan de slag", FR_FLANDERS),
        ("wat als ik in Veurne woon en in Duinkerke werk?", Situation("be", "fr")),
    ],
)
def test_a_name_used_on_both_sides_is_the_place_across_from_the_other_side(
    text: str, expected: Situation
) -> None:
    assert read(text) == expected


def test_key_only_for_cross_border_situations() -> None:
    assert FR_FLANDERS.key == "fr-be"
    assert Situation("be", "fr").key == "be-fr"
    assert Situation("fr", "fr").key is None
    assert Situation(residence="fr").key is None


def test_merge_keeps_what_was_known_and_adds_what_was_said() -> None:
    assert merge(Situation(residence="fr"), read("je bosse à Ypres")) == FR_FLANDERS
    assert merge(FR_FLANDERS, Situation()) == FR_FLANDERS


@pytest.mark.parametrize(
    "text",
    [
        "et si je travaille en France ?",
        "et si j'habite en Belgique ?",
        "en als ik in Frankrijk werk?",
    ],
)
def test_merge_flips_the_other_side_when_one_side_crosses_over(text: str) -> None:
    assert merge(FR_FLANDERS, read(text)) == Situation("be", "fr")


def test_merge_changes_region_and_forgets_it_when_work_leaves_belgium() -> None:
    assert merge(FR_FLANDERS, read("je travaille à Mons")) == Situation("fr", "be", "wallonia")
    assert merge(FR_FLANDERS, read("ik woon in België")).work_region is None


def test_from_values_ignores_unexpected_slot_values() -> None:
    assert from_values("fr", "be", "flanders") == FR_FLANDERS
    assert from_values("de", None, "bavaria") == Situation()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The frontier-worker status says both sides.
        ("Bonjour, je suis frontalier belge depuis l'an dernier", Situation("fr", "be")),
        (
            "frontalière à Poperinge, j'aimerais savoir pour la mutuelle",
            Situation("fr", "be", "flanders"),
        ),
        ("je suis un frontalier belge qui bosse sur Roubaix", Situation("be", "fr")),
        ("als Franse grensarbeider, hoe zit het met mijn pensioen?", Situation("fr", "be")),
        ("ik ben grensarbeider en woon in Menen", Situation("be", "fr")),
        # Sides of the border and regions, in either language.
        ("ik woon aan de Franse kant, vlak bij Halluin", Situation(residence="fr")),
        ("je loge du côté belge de la frontière et bosse à Lille", Situation("be", "fr")),
        ("je vis dans le Nord et je travaille en Wallonie", Situation("fr", "be", "wallonia")),
        (
            "on habite en Flandre française, mon taf est à Poperinge",
            Situation("fr", "be", "flanders"),
        ),
        (
            "we wonen in Frans-Vlaanderen en ik werk in het Brussels Gewest",
            Situation("fr", "be", "brussels"),
        ),
        # A workplace named in the past tense.
        (
            "mon CDD à Waregem vient de finir, j'habite Hazebrouck",
            Situation("fr", "be", "flanders"),
        ),
        (
            "j'ai été licencié par une boîte de Roulers",
            Situation(work="be", work_region="flanders"),
        ),
        ("mijn interimcontract in Waregem loopt af", Situation(work="be", work_region="flanders")),
        ("ik werkte tot vorige maand in Tourcoing en woon in Moeskroen", Situation("be", "fr")),
    ],
)
def test_read_finds_the_situation_in_everyday_wordings(text: str, expected: Situation) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("je suis française, c'est quoi mes droits ?", Situation()),
        ("ik ben Belg, moet ik in Frankrijk belastingen betalen?", Situation()),
        (
            "je suis de nationalité belge et je vais travailler à Ypres",
            Situation(work="be", work_region="flanders"),
        ),
        ("ik ben een Fransman", Situation()),
        ("je suis belge mais j'habite à Halluin", Situation(residence="fr")),
    ],
)
def test_nationality_is_not_residence(text: str, expected: Situation) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("je suis de Maubeuge et je travaille à Mons", Situation("fr", "be", "wallonia")),
        ("je suis du côté belge et je bosse à Lille", Situation("be", "fr")),
        ("résidant à Mouscron et salarié à Roubaix", Situation("be", "fr")),
        ("ik woon in Moeskroen en ben in dienst in Roubaix", Situation("be", "fr")),
        ("je suis de nationalité française", Situation()),
    ],
)
def test_where_one_is_from_and_who_employs_one(text: str, expected: Situation) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "je vis à Lille et je travaille à la fois à Lille et à Courtrai",
            Situation("fr", "be", "flanders"),
        ),
        (
            "ik woon in Rijsel en werk zowel in Kortrijk als in Rijsel",
            Situation("fr", "be", "flanders"),
        ),
        ("j'habite à Menin, je bosse à Tourcoing et à Lille", Situation("be", "fr")),
    ],
)
def test_work_on_both_sides_is_read_as_the_cross_border_workplace(
    text: str, expected: Situation
) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "mon employeur français me détache trois mois à Courtrai",
            Situation("fr", "be", "flanders"),
        ),
        ("mijn Belgische werkgever stuurt me een half jaar naar Rijsel", Situation("be", "fr")),
        # Without a posting, the employer's nationality says nothing about where one lives.
        (
            "je travaille à Courtrai pour une entreprise française",
            Situation(work="be", work_region="flanders"),
        ),
        ("ik ben gedetacheerd in Gent", Situation(work="be", work_region="flanders")),
    ],
)
def test_a_posted_worker_lives_in_the_country_of_the_employer_who_sends_them(
    text: str, expected: Situation
) -> None:
    assert read(text) == expected
