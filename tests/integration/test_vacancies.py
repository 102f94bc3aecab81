"""Vacancy store, import and search on real SQLite and PostgreSQL databases."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

from bot.errors import InvalidFeed
from bot.ops import manage
from bot.storage import db
from bot.storage import vacancies as table
from bot.storage.tables import metadata
from bot.vacancies.areas import COUNTRY, Area
from bot.vacancies.importer import import_feed
from bot.vacancies.model import SearchQuery, Vacancy
from bot.vacancies.search import search
from bot.vacancies.sources.local import LocalVacancySource
from tests.vacancy_factories import TODAY, feed_row, make_vacancy

DEMO_FEED = Path(__file__).resolve().parents[2] / "bot" / "resources" / "demo" / "vacancies.json"


def _write(tmp_path: Path, rows: list, name: str = "feed.json", **header) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"source": "test-feed", **header, "vacancies": rows}, indent=2))
    return path


def _count(engine: Engine, source: str | None = None) -> int:
    with db.reading(engine) as connection:
        return table.count(connection, source)


def test_migration_creates_exactly_the_declared_tables(engine: Engine) -> None:
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []


def test_demo_feed_imports_and_importing_again_duplicates_nothing(engine: Engine) -> None:
    first = import_feed(engine, DEMO_FEED, today=TODAY)
    assert first.rows >= 300 and first.inserted == first.rows and first.skipped == 0
    again = import_feed(engine, DEMO_FEED, today=TODAY)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, first.rows)
    assert _count(engine, "demo") == first.rows


def test_same_source_id_updates_the_vacancy(engine: Engine, tmp_path: Path) -> None:
    import_feed(engine, _write(tmp_path, [feed_row(id="a1", title="Lasser")]), today=TODAY)
    report = import_feed(
        engine, _write(tmp_path, [feed_row(id="a1", title="TIG-lasser")]), today=TODAY
    )
    assert (report.inserted, report.updated) == (0, 1)
    with db.reading(engine) as connection:
        (found,) = table.search(connection, SearchQuery(today=TODAY))
    assert found.title == "TIG-lasser" and _count(engine) == 1


def test_bad_rows_are_reported_with_their_line_and_skipped(engine: Engine, tmp_path: Path) -> None:
    rows = [
        feed_row(id="good-1"),
        feed_row(id="bad-place", place="Atlantis"),
        feed_row(id="bad-job", occupation="astronaute"),
        feed_row(id="bad-date", posted="yesterday"),
        feed_row(id="good-2", place="Courtrai", occupation="soudeur"),
        feed_row(id="good-1"),
    ]
    path = _write(tmp_path, rows)
    report = import_feed(engine, path, today=TODAY)
    lines = path.read_text().splitlines()
    reasons = {error.line: error.reason for error in report.errors}
    assert (report.inserted, report.skipped) == (2, 4)
    for line, expected in zip(
        sorted(reasons), ["bad-place", "bad-job", "bad-date", "good-1"], strict=True
    ):
        assert lines[line - 1].strip() == "{" and expected in lines[line]  # the row's first line
    assert "unknown place 'Atlantis'" in reasons[min(reasons)]
    assert any("duplicate id 'good-1'" in r for r in reasons.values())
    assert _count(engine) == 2


def test_strict_import_writes_nothing_when_a_row_is_bad(engine: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path, [feed_row(), feed_row(url="ftp://nope")])
    report = import_feed(engine, path, strict=True, today=TODAY)
    assert not report.written and report.errors[0].reason.startswith("'url' must start")
    assert _count(engine) == 0


def test_unreadable_feed_writes_nothing(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"source": "x", "vacancies": [\n  {"id": "1",\n  "title": }\n]}')
    with pytest.raises(InvalidFeed) as raised:
        import_feed(engine, path, today=TODAY)
    assert raised.value.line == 3
    assert _count(engine) == 0


def test_csv_feed_with_names_in_both_languages(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(
        "id,title,employer,place,occupation,contract_type,required_languages,url,posted_days_ago\n"
        "c1,Soudeur (H/F),Acme SA,Doornik,soudeur,CDI,fr|nl,https://example.org/1,3\n"
        "c2,Heftruckchauffeur,Acme NV,Courtrai,,interim,nl,https://example.org/2,1\n"
        "c3,Cariste,Acme SA,Nowhere,cariste,CDD,fr,https://example.org/3,1\n"
    )
    report = import_feed(engine, path, source="csv-test", today=TODAY)
    assert (report.inserted, [e.line for e in report.errors]) == (2, [4])
    with db.reading(engine) as connection:
        found = {v.source_id: v for v in table.search(connection, SearchQuery(today=TODAY))}
    assert found["c1"].place_id == "be-tournai" and found["c1"].contract_type == "permanent"
    assert found["c1"].required_languages == ("fr", "nl") and found["c1"].language == "fr"
    assert found["c2"].occupation_id == "forklift-driver"  # read from the title
    assert found["c2"].language == "nl" and found["c2"].contract_type == "temp_agency"


def test_crash_midway_leaves_the_database_as_before(engine: Engine) -> None:
    with db.transaction(engine) as connection:
        table.store(connection, [make_vacancy(source_id="kept")], datetime.now(timezone.utc))

    def rows() -> Iterator[Vacancy]:
        yield make_vacancy(source_id="kept", title="changed")
        yield make_vacancy(source_id="new")
        raise RuntimeError("the feed broke off")

    with pytest.raises(RuntimeError):
        with db.transaction(engine) as connection:
            table.store(connection, rows(), datetime.now(timezone.utc))
    with db.reading(engine) as connection:
        (only,) = table.search(connection, SearchQuery(today=TODAY))
    assert (only.source_id, only.title) == ("kept", "Lasser (m/v/x)")


def test_import_command_prints_a_summary_and_the_bad_lines(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    path = _write(tmp_path, [feed_row(id="ok"), feed_row(id="ko", contract_type="forever")])
    status = manage.main(["import-vacancies", str(path), "--source", "cli-test"])
    out = capsys.readouterr().out
    assert status == 1
    assert "1 inserted, 0 updated, 0 unchanged, 1 skipped" in out
    assert f"{path}:" in out and "unknown contract_type 'forever'" in out
    assert manage.main(["import-vacancies", str(tmp_path / "missing.json")]) == 2


@pytest.fixture
def demo_source(engine: Engine) -> LocalVacancySource:
    with db.transaction(engine) as connection:
        table.store(connection, _demo_offers(), datetime.now(timezone.utc))
    return LocalVacancySource(engine)


def _demo_offers() -> list[Vacancy]:
    return [
        make_vacancy(source_id="lasser-kortrijk", title="Lasser", place_id="be-kortrijk"),
        make_vacancy(source_id="lasser-menen", title="TIG-lasser", place_id="be-menen"),
        make_vacancy(
            source_id="soudeur-roubaix",
            title="Soudeur (H/F)",
            language="fr",
            place_id="fr-roubaix",
            contract_type="temp_agency",
        ),
        make_vacancy(source_id="lasser-oostende", title="Lasser", place_id="be-oostende"),
        make_vacancy(source_id="chaudronnier", occupation_id="boilermaker", place_id="be-ieper"),
        make_vacancy(source_id="kok-brugge", occupation_id="cook", place_id="be-brugge"),
        make_vacancy(source_id="expired", place_id="be-kortrijk", expires_on=TODAY.replace(day=1)),
    ]


async def test_french_speaker_finds_the_dutch_lasser_posting_in_kortrijk(demo_source) -> None:
    from bot.gazetteer import find_occupation, find_place

    welder, courtrai = find_occupation("soudeur"), find_place("Courtrai")
    assert welder and courtrai
    query = SearchQuery(occupation_ids=(welder.id,), place_id=courtrai.id, today=TODAY)
    page = await search(query, [demo_source])
    assert [r.vacancy.source_id for r in page.results] == [
        "lasser-kortrijk",
        "lasser-menen",
        "soudeur-roubaix",
    ]
    assert page.results[0].vacancy.title == "Lasser" and page.results[0].distance_km == 0


async def test_paging_radius_and_contract_filter(demo_source) -> None:
    base = SearchQuery(occupation_ids=("welder",), place_id="be-kortrijk", today=TODAY)
    first = await search(replace(base, page_size=2), [demo_source])
    assert len(first.results) == 2 and first.next_offset == 2
    second = await search(replace(base, page_size=2, offset=2), [demo_source])
    assert [r.vacancy.source_id for r in second.results] == ["soudeur-roubaix"]
    assert second.next_offset is None
    near = await search(replace(base, radius_km=12), [demo_source])
    assert [r.vacancy.source_id for r in near.results] == ["lasser-kortrijk", "lasser-menen"]
    anywhere = await search(replace(base, radius_km=None, page_size=5), [demo_source])
    assert anywhere.results[-1].vacancy.source_id == "lasser-oostende"
    agency = await search(replace(base, contract_types=("temp_agency",)), [demo_source])
    assert [r.vacancy.source_id for r in agency.results] == ["soudeur-roubaix"]


async def test_a_country_or_region_asked_limits_the_store_search(demo_source) -> None:
    """The area filters in SQL too: the window of candidates is the area's, not the nearest."""
    base = SearchQuery(
        occupation_ids=("welder",), place_id="be-kortrijk", radius_km=None, today=TODAY
    )
    france = await search(replace(base, area=Area(COUNTRY, "FR")), [demo_source])
    assert [r.vacancy.source_id for r in france.results] == ["soudeur-roubaix"]
    not_france = await search(
        replace(base, area=Area(COUNTRY, "FR", excluded=True), page_size=5), [demo_source]
    )
    assert [r.vacancy.source_id for r in not_france.results] == [
        "lasser-kortrijk",
        "lasser-menen",
        "lasser-oostende",
    ]
    with db.reading(demo_source._engine) as connection:
        window = table.search(connection, replace(base, area=Area(COUNTRY, "FR"), limit=1))
    assert [v.source_id for v in window] == ["soudeur-roubaix"]


async def test_no_result_suggests_a_wider_radius_and_related_jobs(demo_source) -> None:
    query = SearchQuery(occupation_ids=("welder",), place_id="be-ieper", radius_km=10, today=TODAY)
    page = await search(query, [demo_source])
    assert page.results == () and page.suggestions is not None
    assert page.suggestions.wider_radius_km == 20  # Menen is 18 km from Ieper
    assert page.suggestions.related[0].occupation.id == "boilermaker"
    assert page.suggestions.related[0].vacancies == 1
    assert page.suggestions.job_sites[0].name == "VDAB"


def test_store_search_matches_the_service_on_the_demo_feed(engine: Engine) -> None:
    """The SQL haversine filter and order agree with the service's own (Python) ranking."""
    import_feed(engine, DEMO_FEED, today=TODAY)
    source = LocalVacancySource(engine)
    query = SearchQuery(place_id="be-kortrijk", radius_km=25, today=TODAY, page_size=5)
    with db.reading(engine) as connection:
        everything = table.search(
            connection, SearchQuery(radius_km=None, today=TODAY, limit=10_000)
        )
    from bot.vacancies.search import rank

    expected = [r.vacancy.source_id for r in rank(everything, query)][: query.window]
    assert [v.source_id for v in source.search_blocking(query)] == expected


def test_searches_do_not_wait_for_a_long_import(engine: Engine, database_url: str) -> None:
    source = LocalVacancySource(engine)
    writing, done = threading.Event(), threading.Event()

    def slow_import() -> None:
        with db.transaction(engine) as connection:
            table.store(connection, [make_vacancy()], datetime.now(timezone.utc))
            writing.set()
            done.wait(10)

    writer = threading.Thread(target=slow_import)
    writer.start()
    try:
        assert writing.wait(10)
        started = datetime.now()
        source.search_blocking(SearchQuery(today=TODAY))
        assert (datetime.now() - started).total_seconds() < 2
    finally:
        done.set()
        writer.join()
