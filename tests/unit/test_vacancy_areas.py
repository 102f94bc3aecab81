"""A search limited to a country or region, or excluding one (issue 21, item 6)."""

from __future__ import annotations

import pytest

from bot.vacancies.areas import (
    COUNTRY,
    REGION,
    SUBDIVISION,
    Area,
    area_of,
    limits_a_search,
    names_only_an_area,
)
from bot.vacancies.dialogue import build_query, occupations_named
from bot.vacancies.model import SearchQuery
from bot.vacancies.replies import summary
from bot.vacancies.search import search
from tests.vacancy_factories import TODAY, ListSource, make_vacancy


@pytest.mark.parametrize(
    "text, area",
    [
        ("ik zoek werk, alleen in Frankrijk", Area(COUNTRY, "FR")),
        ("que en Belgique svp", Area(COUNTRY, "BE")),
        ("pas en France", Area(COUNTRY, "FR", excluded=True)),
        ("je veux pas bosser en France", Area(COUNTRY, "FR", excluded=True)),
        ("liever niet in Wallonië", Area(REGION, "Wallonie", excluded=True)),
        ("un poste en Flandre", Area(REGION, "Vlaanderen")),
        ("cariste dans le Nord", Area(SUBDIVISION, "Nord")),
        ("magazijnier in West-Vlaanderen", Area(SUBDIVISION, "West-Vlaanderen")),
        ("dans le nord de la France", Area(REGION, "Hauts-de-France")),
        ("soudeur à Lille", None),
        ("Leers-Nord", None),
    ],
)
def test_the_area_a_message_names(text: str, area: Area | None) -> None:
    assert area_of(text) == area


def test_the_other_side_of_the_border_is_the_country_the_candidate_does_not_live_in() -> None:
    assert area_of("over de grens", home_country="BE") == Area(COUNTRY, "FR")
    assert area_of("de l'autre côté de la frontière", home_country="FR") == Area(COUNTRY, "BE")
    assert area_of("over de grens") is None  # unknown home: no guess


@pytest.mark.parametrize(
    "text, limits",
    [
        ("alleen in Frankrijk", True),
        ("que en Belgique", True),
        ("pas en France", True),
        ("over de grens", True),
        ("j'habite en France", False),
        ("ik woon in België en werk in Frankrijk", False),
    ],
)
def test_a_limit_is_told_from_where_the_candidate_lives(text: str, limits: bool) -> None:
    assert limits_a_search(text) is limits


def test_an_area_goes_through_its_slot_and_back() -> None:
    for area in (Area(COUNTRY, "FR"), Area(REGION, "Wallonie", excluded=True)):
        assert Area.from_slot(area.as_slot()) == area
    assert Area.from_slot("country:XX") is None and Area.from_slot(None) is None


def test_an_area_asked_lifts_the_radius_and_an_excluded_one_keeps_it() -> None:
    query = build_query("welder", "be-kortrijk", area="country:FR")
    assert query.area == Area(COUNTRY, "FR") and query.radius_km is None
    excluded = build_query("welder", "be-kortrijk", area="-country:FR")
    assert excluded.radius_km is not None


async def test_the_search_keeps_the_area_ranked_by_distance() -> None:
    kortrijk = make_vacancy(place_id="be-kortrijk")
    roubaix = make_vacancy(place_id="fr-roubaix")
    lille = make_vacancy(place_id="fr-lille")
    unknown = make_vacancy(place_id=None, town="Ailleurs")
    sources = [ListSource([kortrijk, lille, roubaix, unknown])]
    france = build_query("welder", "be-kortrijk", area="country:FR", page_size=5)
    page = await search(SearchQuery(**{**france.__dict__, "today": TODAY}), sources)
    assert [r.vacancy for r in page.results] == [roubaix, lille]
    not_france = build_query("welder", "be-kortrijk", area="-country:FR", page_size=5)
    page = await search(SearchQuery(**{**not_france.__dict__, "today": TODAY}), sources)
    assert [r.vacancy for r in page.results] == [kortrijk]


def test_the_summary_says_the_area() -> None:
    france = build_query("welder", "be-kortrijk", area="country:FR")
    assert summary(france, "nl") == (
        "Je zoekopdracht: Lasser / Lasster, op elke afstand van Kortrijk, in Frankrijk."
    )
    flanders = build_query("welder", "any", area="region:Vlaanderen")
    assert "en Flandre" in summary(flanders, "fr")
    not_france = build_query("welder", "be-kortrijk", area="-country:FR")
    assert summary(not_france, "fr").endswith(", sauf en France.")


def test_two_occupations_in_one_message_are_searched_together() -> None:
    entities = [
        {"entity": "occupation", "value": "sales-assistant"},
        {"entity": "occupation", "value": "warehouse-worker"},
    ]
    named = occupations_named(entities)
    query = build_query("warehouse-worker", "fr-tourcoing", occupations=named)
    assert set(query.occupation_ids) == {"sales-assistant", "warehouse-worker"}
    assert " ou " in summary(query, "fr")
    # A later occupation that is not one of them searches alone.
    assert build_query("welder", "fr-tourcoing", occupations=named).occupation_ids == ("welder",)


@pytest.mark.parametrize(
    ("text", "only"),
    [("et en belgique ?", True), ("en in Frankrijk?", True), ("pas en France alors", True),
     ("en Flandre aussi ?", True), ("et en Belgique pour les impôts ?", False),
     ("j'habite en France", False), ("en de belastingen in België?", False)],
)  # fmt: skip
def test_a_follow_up_naming_only_an_area(text: str, only: bool) -> None:
    assert names_only_an_area(text) is only
