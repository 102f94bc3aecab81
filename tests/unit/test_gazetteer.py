"""The bilingual gazetteer: places and occupations whatever the language, case, accents, typos."""

from __future__ import annotations

import pytest

from bot import gazetteer
from bot.gazetteer import (
    ANYWHERE,
    OCCUPATION,
    PLACE,
    RADIUS,
    distance_km,
    extract,
    find_occupation,
    find_place,
    parse_radius,
    resolve_occupation,
    resolve_place,
)


@pytest.mark.parametrize(
    ("text", "place_id"),
    [
        ("Courtrai", "be-kortrijk"),
        ("kortrijk", "be-kortrijk"),
        ("KORTRIJK", "be-kortrijk"),
        ("Kortrik", "be-kortrijk"),
        ("Courtray", "be-kortrijk"),
        ("Rijsel", "fr-lille"),
        ("Rijssel", "fr-lille"),
        ("Doornik", "be-tournai"),
        ("Doornick", "be-tournai"),
        ("Ypres", "be-ieper"),
        ("Ieper", "be-ieper"),
        ("Iepr", "be-ieper"),
        ("Bergen", "be-mons"),
        ("Moeskroen", "be-mouscron"),
        ("Armentieres", "fr-armentieres"),
        ("armentières", "fr-armentieres"),
        ("Marcq-en-Barœul", "fr-marcq-en-baroeul"),
        ("marcq en baroeul", "fr-marcq-en-baroeul"),
        ("'s-Gravenbrakel", "be-braine-le-comte"),
        ("be-kortrijk", "be-kortrijk"),
        ("près de Courtrai", "be-kortrijk"),
    ],
)
def test_place_names_resolve_in_both_languages(text: str, place_id: str) -> None:
    place = find_place(text)
    assert place is not None and place.id == place_id


def test_courtrai_and_kortrijk_resolve_to_same_place() -> None:
    assert find_place("Courtrai") == find_place("Kortrijk") == gazetteer.place("be-kortrijk")


def test_place_name_is_given_in_the_speakers_language() -> None:
    kortrijk = gazetteer.place("be-kortrijk")
    assert kortrijk is not None
    assert (kortrijk.name("fr"), kortrijk.name("nl")) == ("Courtrai", "Kortrijk")


def test_unknown_place_is_none() -> None:
    assert find_place("Zanzibar") is None
    assert find_place("") is None


def test_komen_is_comines_warneton_with_the_french_comines_as_alternative() -> None:
    match = resolve_place("Komen")
    assert match is not None and match.item.id == "be-comines-warneton"
    assert [p.id for p in match.alternatives] == ["fr-comines"]
    assert find_place("Komen (Frankrijk)").id == "fr-comines"  # type: ignore[union-attr]


def test_lens_is_the_french_town_with_the_belgian_village_as_alternative() -> None:
    match = resolve_place("Lens")
    assert match is not None and match.item.id == "fr-lens" and match.ambiguous
    assert [p.id for p in match.alternatives] == ["be-lens-be"]
    assert find_place("Lens (Belgique)").id == "be-lens-be"  # type: ignore[union-attr]


def test_mons_and_mons_en_baroeul_are_different_towns() -> None:
    mons = resolve_place("Mons")
    assert mons is not None and mons.item.id == "be-mons"
    assert [p.id for p in mons.alternatives] == ["fr-mons-en-baroeul"]  # "Mons" near Lille
    assert find_place("Mons-en-Barœul").id == "fr-mons-en-baroeul"  # type: ignore[union-attr]
    assert find_place("mons en baroeul").id == "fr-mons-en-baroeul"  # type: ignore[union-attr]


def test_wervicq_is_belgian_and_wervicq_sud_french() -> None:
    assert find_place("Wervik").id == find_place("Wervicq").id == "be-wervik"  # type: ignore[union-attr]
    assert find_place("Wervicq-Sud").id == "fr-wervicq-sud"  # type: ignore[union-attr]
    assert [p.id for p in resolve_place("Wervicq").alternatives] == ["fr-wervicq-sud"]  # type: ignore[union-attr]
    assert resolve_place("Wervik").alternatives == ()  # type: ignore[union-attr]
    assert find_place("Zuid-Wervik").id == "fr-wervicq-sud"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text",
    [
        "soudeur",
        "soudeuse",
        "Soudeuses",
        "lasser",
        "lassers",
        "welder",
        "soudeur TIG",
        "soudeurr",
        "H2913",
    ],
)
def test_welding_names_in_both_languages_share_one_id(text: str) -> None:
    assert find_occupation(text).id == "welder"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "occupation_id"),
    [
        ("cariste", "forklift-driver"),
        ("heftruckchauffeur", "forklift-driver"),
        ("heftruckchaufeur", "forklift-driver"),
        ("clarkiste", "forklift-driver"),
        ("aide soignante", "care-assistant"),
        ("aide-soignant", "care-assistant"),
        ("Aide-Soignante", "care-assistant"),
        ("zorgkundige", "care-assistant"),
        ("chauffeur poids lourd", "truck-driver"),
        ("vrachtwagenchauffeur", "truck-driver"),
        ("vrachtwagenchauffeurs", "truck-driver"),
        ("infirmière", "nurse"),
        ("verpleegkundigen", "nurse"),
        ("employée administrative", "office-clerk"),
        ("Technicienne de maintenance industrielle", "maintenance-mechanic"),
        ("cheffe de cuisine", "chef"),
    ],
)
def test_occupations_resolve_whatever_language_gender_or_plural(
    text: str, occupation_id: str
) -> None:
    assert find_occupation(text).id == occupation_id  # type: ignore[union-attr]


def test_shared_occupation_names_give_alternatives() -> None:
    match = resolve_occupation("enseignante")
    assert match is not None and match.ambiguous
    assert {match.item.id, *(o.id for o in match.alternatives)} == {
        "primary-teacher",
        "secondary-teacher",
    }


def test_isco_code_shared_by_two_occupations_gives_both() -> None:
    match = resolve_occupation("7512")
    assert match is not None
    assert [match.item.id, *(o.id for o in match.alternatives)] == ["baker", "pastry-cook"]


def test_unknown_occupation_is_none() -> None:
    assert find_occupation("astronaute") is None


def test_related_occupations_share_the_isco_group() -> None:
    related = gazetteer.related_occupations("welder")
    assert related and all(o.isco_minor_group == "721" for o in related)
    assert "welder" not in {o.id for o in related}


def test_gazetteer_data_has_enough_bilingual_entries() -> None:
    places, occupations = gazetteer.places(), gazetteer.occupations()
    assert len(places) >= 150 and len(occupations) >= 100
    assert all(p.name_fr and p.name_nl and p.country in ("FR", "BE") for p in places)
    assert all(o.label_fr and o.label_nl and o.isco08 for o in occupations)
    assert len({p.id for p in places}) == len(places)
    assert len({o.id for o in occupations}) == len(occupations)


def test_distance_between_lille_and_kortrijk_is_about_25_km() -> None:
    lille, kortrijk = gazetteer.place("fr-lille"), gazetteer.place("be-kortrijk")
    assert lille and kortrijk
    assert 24 < distance_km(lille.lat, lille.lon, kortrijk.lat, kortrijk.lon) < 28
    assert distance_km(lille.lat, lille.lon, lille.lat, lille.lon) == 0


def _found(text: str, language: str | None = None) -> list[tuple[str, object]]:
    return [(s.kind, s.value) for s in extract(text, language)]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "y a-t-il des postes de cariste vers Courtrai ?",
            "fr",
            [(OCCUPATION, "forklift-driver"), (PLACE, "be-kortrijk")],
        ),
        (
            "werk als lasser in de buurt van Rijsel?",
            "nl",
            [(OCCUPATION, "welder"), (PLACE, "fr-lille")],
        ),
        ("jobs in Tournai", "fr", [(PLACE, "be-tournai")]),
        ("ik zoek werk", "nl", []),
        (
            "soudeuse dans un rayon de 20 km autour de Mouscron",
            "fr",
            [(OCCUPATION, "welder"), (RADIUS, 20), (PLACE, "be-mouscron")],
        ),
        (
            "vrachtwagenchauffeurs binnen 15km van Ieper",
            "nl",
            [(OCCUPATION, "truck-driver"), (RADIUS, 15), (PLACE, "be-ieper")],
        ),
        (
            "chauffeur poids lourd à moins de 30 km de Lille",
            "fr",
            [(OCCUPATION, "truck-driver"), (RADIUS, 30), (PLACE, "fr-lille")],
        ),
        (
            "des offres d'aide soignante à Mons-en-Barœul",
            "fr",
            [
                (OCCUPATION, "care-assistant"),
                (PLACE, "fr-mons-en-baroeul"),
            ],
        ),
        (
            "heftruckchaufeur kortrik",
            "nl",
            [(OCCUPATION, "forklift-driver"), (PLACE, "be-kortrijk")],
        ),
        (
            "zorgkundige, maakt niet uit waar",
            "nl",
            [(OCCUPATION, "care-assistant"), (RADIUS, ANYWHERE)],
        ),
    ],
)
def test_extract_finds_every_mention_in_a_message(
    text: str, language: str, expected: list[tuple[str, object]]
) -> None:
    assert _found(text, language) == expected


def test_extract_gives_offsets_into_the_original_text() -> None:
    text = "Un poste de soudeur à Courtrai ?"
    for span in extract(text, "fr"):
        assert text[span.start : span.end] == span.text
    assert [s.text for s in extract(text, "fr")] == ["soudeur", "Courtrai"]


@pytest.mark.parametrize(
    "text",
    [
        "hem, je ne sais pas",
        "ik heb hem gisteren gebeld",
        "de hal van het station",
        "kan ik morgen komen werken?",
        "lessen Nederlands voor beginners",
        "une vraie personne svp",
        "monsieur, vous êtes là ?",
        "hallo beste mensen",
        "ma voiture est tombée en panne",
        "mon chef est sympa",
        "que penses-tu de Macron ?",
        "je suis ouvrier, mon salaire est bas",
        "het leven in Vlaanderen",
        "wat is jouw mening?",
        "as-tu des conseils ?",
        "demonstration",
    ],
)
def test_extract_ignores_everyday_words_that_look_like_names(text: str) -> None:
    assert _found(text) == []


def test_everyday_word_names_count_after_a_place_word() -> None:
    assert _found("ik woon in Hem") == [(PLACE, "fr-hem")]
    assert _found("werk in de buurt van hal") == [(PLACE, "be-halle")]
    assert _found("un job à la panne") == [(PLACE, "be-de-panne")]
    assert _found("j'habite près de Croix") == [(PLACE, "fr-croix")]


def test_everyday_word_occupations_count_after_comme_or_als() -> None:
    assert _found("je cherche un poste de commercial") == [(OCCUPATION, "sales-representative")]
    assert _found("werk als chef in Gent") == [(OCCUPATION, "chef"), (PLACE, "be-gent")]


def test_acronyms_count_only_in_capitals() -> None:
    assert _found("je suis AS à Lille") == [(OCCUPATION, "care-assistant"), (PLACE, "fr-lille")]
    assert _found("as-tu un emploi à Lille ?") == [(PLACE, "fr-lille")]


def test_longest_name_wins() -> None:
    assert _found("je vis à Mons en Baroeul") == [(PLACE, "fr-mons-en-baroeul")]
    assert _found("travail à Wervicq-Sud") == [(PLACE, "fr-wervicq-sud")]


def test_ambiguous_mention_carries_its_alternatives() -> None:
    (span,) = extract("un job à Lens ?", "fr")
    assert (span.value, span.alternatives) == ("fr-lens", ("be-lens-be",))


def test_places_inside_other_words_are_not_found() -> None:
    assert _found("démons et monstres") == []
    assert _found("hemel en hallo") == []


@pytest.mark.parametrize(
    ("text", "radius"),
    [
        ("dans un rayon de 20 km", 20),
        ("à moins de 30 km", 30),
        ("binnen 20 km", 20),
        ("max 40 kilomètres", 40),
        ("partout en Belgique", ANYWHERE),
        ("n'importe où", ANYWHERE),
        ("om het even waar", ANYWHERE),
        ("près de Lille", None),
        ("1000 km", None),
    ],
)
def test_radius_is_read_in_both_languages(text: str, radius: object) -> None:
    assert parse_radius(text) == radius


@pytest.mark.parametrize(
    "text, place_id",
    [
        ("Toerkonje", "fr-tourcoing"),
        ("Robaais", "fr-roubaix"),
        ("Valencijn", "fr-valenciennes"),
        ("Harlebeke", "be-harelbeke"),
        ("Thourout", "be-torhout"),
        ("Rijsel", "fr-lille"),
    ],
)
def test_names_answers_no_longer_write_are_still_read(text: str, place_id: str) -> None:
    assert gazetteer.find_place(text).id == place_id


def test_dutch_answers_write_official_names_where_no_exonym_is_in_use() -> None:
    assert gazetteer.place("fr-tourcoing").name("nl") == "Tourcoing"
    assert gazetteer.place("fr-lille").name("nl") == "Rijsel"
    assert gazetteer.place("be-harelbeke").name("fr") == "Harelbeke"
    assert gazetteer.place("be-mons").exonym_source.startswith("Statbel")
