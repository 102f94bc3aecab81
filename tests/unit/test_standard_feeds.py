"""schema.org JobPosting (JSON-LD, HTML) and HR-XML PositionOpening feeds read as vacancies."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.errors import InvalidFeed
from bot.vacancies.feed import read_feed, read_text
from tests.vacancy_factories import TODAY

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


def test_jobpostings_of_a_json_ld_graph_become_vacancies() -> None:
    feed = read_feed(FEEDS / "jobpostings.jsonld", source="vdab", today=TODAY)
    found = {v.source_id: v for _n, v in feed.vacancies}
    assert sorted(found) == ["FOREM-2002", "VDAB-1001"]
    welder = found["VDAB-1001"]
    assert (welder.occupation_id, welder.place_id, welder.language) == (
        "welder",
        "be-kortrijk",
        "nl",
    )
    assert (welder.employer, welder.contract_type, welder.working_time) == (
        "Metaal Kortrijk (fictief)",
        "permanent",
        "full",
    )
    assert (welder.posted_on, welder.expires_on) == (date(2026, 11, 20), date(2026, 12, 31))
    assert welder.url == "https://example.org/vdab/1001"
    forklift = found["FOREM-2002"]
    assert forklift.occupation_id == "forklift-driver"  # CategoryCode N1101 (ROME)
    assert forklift.place_id == "be-lens-be"  # Lens with the Belgian postcode 7870
    assert (forklift.contract_type, forklift.working_time) == ("fixed_term", "part")  # "CDD"


def test_rejected_jobpostings_come_with_their_position_and_reason() -> None:
    feed = read_feed(FEEDS / "jobpostings.jsonld", source="vdab", today=TODAY)
    reasons = {e.line: e.reason for e in feed.errors}
    assert reasons[3] == "a JobPosting needs an 'identifier', a 'url' or an '@id'"
    assert "unknown place 'Atlantis'" in reasons[4]
    assert len(reasons) == 2  # the Organization is not a posting


@pytest.mark.parametrize("shape", ["object", "list"])
def test_a_single_jobposting_or_a_list_of_them(shape: str) -> None:
    document = json.loads((FEEDS / "jobpostings.jsonld").read_text())
    postings = document["@graph"][:2]
    content = json.dumps(postings[0] if shape == "object" else postings)
    feed = read_text(content, ".json", source="board", today=TODAY)
    assert len(feed.vacancies) == (1 if shape == "object" else 2) and not feed.errors


def test_the_json_ld_of_a_job_boards_page_is_read() -> None:
    feed = read_feed(FEEDS / "jobposting_page.html", source="board", today=TODAY)
    ((_n, vacancy),) = feed.vacancies
    assert (vacancy.source_id, vacancy.occupation_id, vacancy.place_id) == (
        "JB-77",
        "sales-assistant",  # no occupationalCategory: the title says it
        "be-tournai",
    )
    assert vacancy.contract_type == "fixed_term"  # employmentType TEMPORARY


def test_hr_xml_position_openings_become_vacancies() -> None:
    feed = read_feed(FEEDS / "positions.xml", source="partner", today=TODAY)
    ((_n, vacancy),) = feed.vacancies
    assert (vacancy.source_id, vacancy.title, vacancy.employer) == (
        "HR-501",
        "Lasser-monteerder",
        "Bouwbedrijf Ieper (fictief)",
    )
    assert (vacancy.occupation_id, vacancy.place_id, vacancy.language) == (
        "welder",
        "be-ieper",
        "nl",
    )
    assert (vacancy.contract_type, vacancy.working_time) == ("temp_agency", "part")
    assert (vacancy.posted_on, vacancy.expires_on) == (date(2026, 11, 18), date(2027, 1, 15))
    assert vacancy.url == "https://example.org/partner/501"
    assert [(e.line, e.reason) for e in feed.errors] == [
        (2, "a PositionOpening needs PositionRecordInfo/Id/IdValue")
    ]


@pytest.mark.parametrize(
    ("content", "suffix", "reason"),
    [
        ('<!DOCTYPE x [<!ENTITY a "b">]><x/>', ".xml", "DOCTYPE"),
        ("<PositionOpening>", ".xml", "not valid XML"),
        ('{"@context": "https://schema.org", "@type": "Organization"}', ".json", "no JobPosting"),
        ("<html><body>no data</body></html>", ".html", "no JobPosting"),
    ],
)
def test_unreadable_standard_feeds_are_refused(content: str, suffix: str, reason: str) -> None:
    with pytest.raises(InvalidFeed, match=reason):
        read_text(content, suffix, source="x", today=TODAY)


def test_a_jobposting_relaying_a_france_travail_offer_carries_its_official_id() -> None:
    document = json.loads((FEEDS / "jobpostings.jsonld").read_text())
    relayed = {
        **document["@graph"][0],
        "sameAs": "https://candidat.francetravail.fr/offres/recherche/detail/199TSTA",
    }
    own = document["@graph"][1]
    feed = read_text(json.dumps([relayed, own]), ".json", source="eures", today=TODAY)
    assert [v.official_id for _n, v in feed.vacancies] == ["francetravail:199TSTA", None]
