"""What an answer to the search form's questions means, and which search the slots describe."""

from __future__ import annotations

import pytest

from bot import gazetteer
from bot.messages import has_text
from bot.vacancies.dialogue import (
    ANY,
    build_query,
    is_anywhere,
    read_occupation,
    read_place,
    slots_to_reset,
    subdivision_key,
    wider_radius,
)
from bot.vacancies.model import DEFAULT_RADIUS_KM


def _place(text: str, language: str = "fr", pending: tuple[str, ...] = (), **kwargs) -> object:
    entities = [
        {"entity": "location", "value": s.value, "alternatives": list(s.alternatives)}
        for s in gazetteer.extract(text, language)
        if s.kind == gazetteer.PLACE
    ]
    entities += kwargs.pop("entities", [])
    return read_place(text, text, entities, language, pending, **kwargs)


@pytest.mark.parametrize(
    "answer, place_id",
    [
        ("Courtrai", "be-kortrijk"),
        ("à Kortrijk", "be-kortrijk"),
        ("Kortrik", "be-kortrijk"),
        ("Rijsel", "fr-lille"),
        ("in de buurt van Rijssel", "fr-lille"),
        ("Doornik", "be-tournai"),
        ("Ypres", "be-ieper"),
        ("Moeskroen", "be-mouscron"),
        ("Bergen", "be-mons"),
        ("Menin", "be-menen"),
    ],
)
def test_exonyms_and_typos_name_the_same_place(answer: str, place_id: str) -> None:
    assert _place(answer).value == place_id


@pytest.mark.parametrize(
    "answer",
    ["partout", "n'importe où", "peu importe", "ça m'est égal", "overal", "maakt niet uit"],
)
def test_anywhere_is_a_valid_place_answer(answer: str) -> None:
    assert is_anywhere(answer)
    assert _place(answer).value == ANY


@pytest.mark.parametrize(
    "answer, options",
    [
        ("Lens", ("fr-lens", "be-lens-be")),
        ("Komen", ("be-comines-warneton", "fr-comines")),
        ("à Mons", ("be-mons", "fr-mons-en-baroeul")),
    ],
)
def test_ambiguous_place_names_give_options(answer: str, options: tuple[str, ...]) -> None:
    found = _place(answer)
    assert found.value is None and found.options == options


@pytest.mark.parametrize(
    "choice, place_id",
    [
        ("celle de Belgique", "be-lens-be"),
        ("Pas-de-Calais", "fr-lens"),
        ("in Henegouwen", "be-lens-be"),
        ("de Franse", "fr-lens"),
        ("la deuxième", "be-lens-be"),
    ],
)
def test_answer_after_options_chooses_among_them(choice: str, place_id: str) -> None:
    assert _place(choice, pending=("fr-lens", "be-lens-be")).value == place_id


def test_button_payload_entity_is_taken_as_it_is() -> None:
    entity = {"entity": "location", "value": "be-lens-be"}
    answer = read_place("be-lens-be", '/inform{"location": "be-lens-be"}', [entity], "fr")
    assert answer.value == "be-lens-be"


def test_unknown_place_suggests_near_names() -> None:
    answer = _place("Ipres")
    assert answer.unknown == "Ipres" and "be-ieper" in answer.suggestions


def test_short_unknown_answer_gets_no_guesses() -> None:
    answer = _place("oui")
    assert answer.unknown == "oui" and answer.suggestions == ()


def test_answer_about_the_job_is_not_a_wrong_place() -> None:
    entities = [{"entity": "occupation", "value": "welder"}]
    assert _place("soudeur plutôt", entities=entities).is_empty


def test_new_request_is_not_a_wrong_place() -> None:
    assert _place("ik zoek werk", "nl", request=True).is_empty


@pytest.mark.parametrize(
    "answer, occupation_id",
    [
        ("cariste", "forklift-driver"),
        ("soudeuse", "welder"),
        ("lasster", "welder"),
        ("heftruckchaufeur", "forklift-driver"),
        ("aide-soignate", "care-assistant"),
        ("peu importe", ANY),
        ("n'importe quel métier", ANY),
        ("maakt niet uit", ANY),
        ("alle beroepen", ANY),
    ],
)
def test_occupation_answers(answer: str, occupation_id: str) -> None:
    assert read_occupation(answer, [], "fr").value == occupation_id


def test_too_general_occupation_suggests_the_precise_ones() -> None:
    answer = read_occupation("ingénieur", [], "fr")
    assert answer.unknown == "ingénieur"
    assert {"industrial-engineer", "mechanical-engineer", "civil-engineer"} <= set(
        answer.suggestions
    )


def test_a_place_given_for_the_job_is_not_a_wrong_job() -> None:
    entities = [{"entity": "location", "value": "fr-lille"}]
    assert read_occupation("à Lille", entities, "fr").is_empty


def test_new_request_clears_what_it_does_not_mention() -> None:
    assert slots_to_reset([]) == ["occupation", "location", "radius_km", "contract_type"]
    mentioned = [{"entity": "occupation", "value": "welder"}, {"entity": "radius_km", "value": 20}]
    assert slots_to_reset(mentioned) == ["location", "contract_type"]


def test_query_uses_the_default_radius_unless_another_is_asked() -> None:
    assert build_query("welder", "be-kortrijk").radius_km == DEFAULT_RADIUS_KM
    assert build_query("welder", "be-kortrijk", 20).radius_km == 20
    assert build_query("welder", "be-kortrijk", ANY).radius_km is None


def test_query_anywhere_and_any_occupation() -> None:
    query = build_query(ANY, ANY, 20, "temp_agency", offset=3)
    assert query.occupation_ids == () and query.place_id is None and query.radius_km is None
    assert query.contract_types == ("temp_agency",) and query.offset == 3


def test_wider_radius_is_the_next_step_and_none_anywhere() -> None:
    assert wider_radius(build_query("welder", "be-kortrijk")) == 50
    assert wider_radius(build_query("welder", "be-kortrijk", 150)) is None
    assert wider_radius(build_query("welder", ANY)) is None


def test_every_province_has_a_name_in_both_catalogs() -> None:
    for subdivision in {p.subdivision for p in gazetteer.places()}:
        key = f"vacancies.subdivision.{subdivision_key(subdivision)}"
        assert has_text("fr", key) and has_text("nl", key), subdivision


def test_the_ambiguous_name_is_repeated_as_written_and_only_when_it_was_the_answer() -> None:
    from bot.vacancies.dialogue import written_place

    options = ("be-comines-warneton", "fr-comines")
    text = "ik zoek werk als lasser in Komen"
    (span,) = [s for s in gazetteer.extract(text, "nl") if s.kind == gazetteer.PLACE]
    entity = {"entity": "location", "value": span.value, "start": span.start, "end": span.end}
    assert written_place(text, [entity], options) == "Komen"
    assert written_place("komen", [], options) == "Komen"
    assert written_place("comines svp", [], options) is None
    assert written_place("bonjour", [], options) is None
