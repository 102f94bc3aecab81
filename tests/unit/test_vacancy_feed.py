"""Reading vacancy feeds: formats, line numbers, names in both languages, dates."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from bot.errors import InvalidFeed
from bot.vacancies.feed import read_feed
from tests.vacancy_factories import TODAY, feed_row


def _json(tmp_path: Path, document: object, name: str = "feed.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False))
    return path


def test_top_level_list_gives_the_line_of_each_row(tmp_path: Path) -> None:
    path = _json(tmp_path, [feed_row(), feed_row(place="Atlantis")])
    feed = read_feed(path, source="t", today=TODAY)
    lines = path.read_text().splitlines()
    (error,) = feed.errors
    assert lines[error.line - 1].strip() == "{" and '"Atlantis"' in "".join(
        lines[error.line - 1 : error.line + 6]
    )
    assert feed.vacancies[0][0] == 2


def test_json_lines_feed(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [feed_row(), feed_row(url="x")]) + "\n")
    feed = read_feed(path, source="t", today=TODAY)
    assert len(feed.vacancies) == 1 and [e.line for e in feed.errors] == [2]


def test_offsets_are_relative_to_the_import_day(tmp_path: Path) -> None:
    row = feed_row(posted=None, expires=None, posted_days_ago=3, expires_in_days=10)
    ((_, vacancy),) = read_feed(_json(tmp_path, [row]), source="t", today=TODAY).vacancies
    assert vacancy.posted_on == TODAY - timedelta(days=3)
    assert vacancy.expires_on == TODAY + timedelta(days=10)


def test_missing_expiry_defaults_to_sixty_days_after_posting(tmp_path: Path) -> None:
    ((_, vacancy),) = read_feed(
        _json(tmp_path, [feed_row(expires=None)]), source="t", today=TODAY
    ).vacancies
    assert vacancy.expires_on == vacancy.posted_on + timedelta(days=60)


def test_names_codes_and_aliases_in_both_languages_are_understood(tmp_path: Path) -> None:
    rows = [
        feed_row(place="Rijsel", occupation="soudeuse", contract_type="CDD", language=None),
        feed_row(place="be-ieper", occupation="H2913", contract_type="vast contract"),
        feed_row(place="Lens", postcode="7870", occupation="Lasser", working_time="deeltijds"),
        feed_row(required_languages="nl|FR"),
    ]
    found = [v for _, v in read_feed(_json(tmp_path, rows), source="t", today=TODAY).vacancies]
    assert (found[0].place_id, found[0].country, found[0].language) == ("fr-lille", "FR", "fr")
    assert found[0].contract_type == "fixed_term" and found[0].occupation_id == "welder"
    assert found[1].place_id == "be-ieper" and found[1].contract_type == "permanent"
    assert found[2].place_id == "be-lens-be" and found[2].working_time == "part"
    assert found[3].required_languages == ("nl", "fr")


def test_place_outside_the_gazetteer_needs_coordinates(tmp_path: Path) -> None:
    rows = [
        feed_row(place="Bastogne", town="Bastogne", lat=50.0, lon=5.7, country="BE"),
        feed_row(place="Bastogne"),
    ]
    feed = read_feed(_json(tmp_path, rows), source="t", today=TODAY)
    ((_, vacancy),) = feed.vacancies
    assert (vacancy.place_id, vacancy.town, vacancy.country) == (None, "Bastogne", "BE")
    assert "unknown place 'Bastogne'" in feed.errors[0].reason


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"title": None}, "missing 'title'"),
        ({"url": "www.example.org"}, "'url' must start with https://"),
        ({"language": "de"}, "'language' must be fr or nl"),
        ({"required_languages": ["nl", "xx"]}, "unknown required language 'xx'"),
        ({"expires": "2026-01-01"}, "before posted"),
        ({"posted": None}, "missing 'posted'"),
        ({"title": "x" * 301}, "longer than 300"),
        ({"occupation": None, "title": "Medewerker"}, "names none"),
    ],
)
def test_bad_rows_say_why(tmp_path: Path, change: dict, reason: str) -> None:
    feed = read_feed(_json(tmp_path, [feed_row(**change)]), source="t", today=TODAY)
    assert feed.vacancies == [] and reason in feed.errors[0].reason


def test_feed_source_and_demo_flag_come_from_the_header(tmp_path: Path) -> None:
    path = _json(tmp_path, {"source": "demo", "vacancies": [feed_row()]})
    feed = read_feed(path, today=TODAY)
    assert feed.source == "demo" and feed.vacancies[0][1].demo


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("feed.json", '{"vacancies": [}', "not valid JSON"),
        ("feed.json", '{"source": "x", "rows": []}', "'vacancies' list"),
        ("feed.json", '{"vacancies": []}', "no source name"),
        ("feed.csv", "a,b\n1,2\n", "header line"),
        ("feed.txt", "<feed/>", "unknown feed format"),
        ("feed.xml", "<feed/>", "no JobPosting / PositionOpening"),
    ],
)
def test_unreadable_feeds_are_refused_whole(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InvalidFeed, match=message):
        read_feed(path, today=TODAY)
