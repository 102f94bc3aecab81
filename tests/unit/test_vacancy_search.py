"""The search service on in-memory sources: matching, ranking, paging, merging, suggestions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.vacancies.model import DEFAULT_RADIUS_KM, SearchQuery
from bot.vacancies.search import search
from tests.vacancy_factories import TODAY, DownSource, ListSource, make_vacancy


def _query(**values) -> SearchQuery:
    return SearchQuery(today=TODAY, **values)


async def test_french_search_finds_the_dutch_posting_through_the_occupation_code() -> None:
    lasser = make_vacancy(title="Lasser (m/v/x)", language="nl", place_id="be-kortrijk")
    cook = make_vacancy(title="Kok (m/v/x)", occupation_id="cook", place_id="be-kortrijk")
    page = await search(
        _query(occupation_ids=("welder",), place_id="be-kortrijk"), [ListSource([lasser, cook])]
    )
    assert [r.vacancy for r in page.results] == [lasser]


async def test_results_are_ranked_nearest_first_then_newest() -> None:
    older_here = make_vacancy(place_id="be-kortrijk", posted_on=TODAY - timedelta(days=9))
    newer_here = make_vacancy(place_id="be-kortrijk", posted_on=TODAY)
    menen = make_vacancy(place_id="be-menen")
    page = await search(
        _query(place_id="be-kortrijk", page_size=5), [ListSource([menen, older_here, newer_here])]
    )
    assert [r.vacancy for r in page.results] == [newer_here, older_here, menen]
    assert page.results[0].distance_km == 0
    assert 9 < page.results[2].distance_km < 13  # type: ignore[operator]


async def test_default_radius_leaves_out_far_away_offers() -> None:
    near = make_vacancy(place_id="fr-roubaix")  # about 16 km from Kortrijk
    far = make_vacancy(place_id="be-oostende")  # about 60 km
    page = await search(_query(place_id="be-kortrijk"), [ListSource([near, far])])
    assert DEFAULT_RADIUS_KM == 30
    assert [r.vacancy for r in page.results] == [near]


async def test_explicit_radius_and_anywhere_are_honoured() -> None:
    near, far = make_vacancy(place_id="fr-roubaix"), make_vacancy(place_id="be-oostende")
    source = ListSource([near, far])
    small = await search(_query(place_id="be-kortrijk", radius_km=10), [source])
    anywhere = await search(_query(place_id="be-kortrijk", radius_km=None), [source])
    assert small.results == ()
    assert [r.vacancy for r in anywhere.results] == [near, far]


async def test_expired_offers_and_other_contracts_are_left_out() -> None:
    expired = make_vacancy(expires_on=TODAY - timedelta(days=1))
    agency = make_vacancy(contract_type="temp_agency")
    permanent = make_vacancy(contract_type="permanent")
    page = await search(
        _query(contract_types=("permanent",)), [ListSource([expired, agency, permanent])]
    )
    assert [r.vacancy for r in page.results] == [permanent]


async def test_pages_follow_each_other_without_gaps_or_repeats() -> None:
    offers = [make_vacancy(posted_on=TODAY - timedelta(days=i)) for i in range(8)]
    source = ListSource(offers)
    seen, offset = [], 0
    while offset is not None:
        page = await search(_query(page_size=3, offset=offset), [source])
        seen += [r.vacancy for r in page.results]
        offset = page.next_offset
    assert seen == offers
    assert source.queries[0].window == 4  # this page and one more tells whether there is more


async def test_same_offer_from_two_sources_is_shown_once() -> None:
    mine = make_vacancy(source="local", source_id="1", title="Lasser", employer="Acme NV")
    theirs = make_vacancy(source="api", source_id="x9", title="LASSER", employer="acme nv")
    page = await search(_query(), [ListSource([mine], "local"), ListSource([theirs], "api")])
    assert [r.vacancy.source for r in page.results] == ["local"]


async def test_an_offer_relayed_under_another_title_is_shown_once_by_its_official_id() -> None:
    national = make_vacancy(
        source="francetravail", title="Soudeur (H/F)", official_id="francetravail:199TSTA"
    )
    relayed = make_vacancy(
        source="eures", title="Welder", employer="Other name", official_id="francetravail:199TSTA"
    )
    other = make_vacancy(source="eures", title="Welder", official_id="francetravail:2")
    page = await search(
        _query(), [ListSource([national], "francetravail"), ListSource([relayed, other], "eures")]
    )
    assert sorted(r.vacancy.source_id for r in page.results) == sorted(
        [national.source_id, other.source_id]
    )


async def test_gender_marks_and_punctuation_do_not_make_two_offers() -> None:
    mine = make_vacancy(source="local", title="Lasser (m/v/x)", employer="Acme N.V.")
    theirs = make_vacancy(source="api", title="Lasser", employer="ACME NV")
    page = await search(_query(), [ListSource([mine], "local"), ListSource([theirs], "api")])
    assert [r.vacancy.source for r in page.results] == ["local"]


async def test_unavailable_source_is_named_and_the_others_still_answer() -> None:
    offer = make_vacancy()
    page = await search(_query(), [DownSource("api"), ListSource([offer], "local")])
    assert [r.vacancy for r in page.results] == [offer]
    assert page.unavailable_sources == ("api",)


async def test_nothing_found_suggests_wider_radius_related_jobs_and_job_sites() -> None:
    boilermaker = make_vacancy(occupation_id="boilermaker", place_id="be-kortrijk")
    far_welder = make_vacancy(occupation_id="welder", place_id="be-oostende")
    page = await search(
        _query(occupation_ids=("welder",), place_id="be-kortrijk"),
        [ListSource([boilermaker, far_welder])],
    )
    assert page.results == () and page.suggestions is not None
    assert page.suggestions.wider_radius_km == 50  # Oostende is 49 km away
    assert page.suggestions.related[0].occupation.id == "boilermaker"
    assert page.suggestions.related[0].vacancies == 1
    assert [s.name for s in page.suggestions.job_sites] == [
        "VDAB",
        "Le Forem",
        "France Travail",
        "EURES",
    ]


async def test_job_sites_put_the_searched_country_first() -> None:
    page = await search(_query(occupation_ids=("welder",), place_id="fr-lille"), [ListSource([])])
    assert page.suggestions is not None
    assert page.suggestions.wider_radius_km is None
    assert page.suggestions.job_sites[0].name == "France Travail"


@pytest.mark.parametrize(
    "values", [{"page_size": 0}, {"page_size": 6}, {"offset": -1}, {"radius_km": 0}]
)
def test_bad_queries_are_refused(values) -> None:
    with pytest.raises(ValueError):
        SearchQuery(**values)


def test_unknown_contract_type_is_refused() -> None:
    with pytest.raises(ValueError, match="contract"):
        SearchQuery(contract_types=("forever",))
