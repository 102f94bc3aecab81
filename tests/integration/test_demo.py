"""make run's database preparation: demo data once, never twice."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.config import Settings
from bot.ops import demo
from bot.storage import db
from bot.storage.sessions import info_sessions
from bot.storage.vacancies import vacancies


def _counts(url: str) -> tuple[int, int]:
    engine = db.make_engine(url)
    with db.transaction(engine) as conn:
        counted = tuple(
            conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (vacancies, info_sessions)
        )
    engine.dispose()
    return counted  # type: ignore[return-value]


def test_demo_data_is_added_once(database_url: str) -> None:
    settings = Settings.from_env({"DATABASE_URL": database_url})
    demo.prepare(settings, say=lambda _text: None)
    first = _counts(database_url)
    demo.prepare(settings, say=lambda _text: None)
    assert _counts(database_url) == first
    assert first[0] >= 300 and first[1] >= 12


def test_no_demo_offers_beside_a_configured_real_source(database_url: str) -> None:
    env = {"DATABASE_URL": database_url, "VACANCY_FEEDS": "forem=https://feeds.example/x.xml"}
    said: list[str] = []
    demo.prepare(Settings.from_env(env), say=said.append)
    assert _counts(database_url)[0] == 0
    assert "no demo vacancies: real sources are configured (forem)" in said


def test_without_demo_data_only_the_schema_is_prepared(database_url: str) -> None:
    demo.prepare(Settings.from_env({"DATABASE_URL": database_url}), say=print, demo=False)
    assert _counts(database_url) == (0, 0)


def test_a_database_with_its_own_feed_gets_no_demo_offers(database_url: str, tmp_path) -> None:
    from bot.vacancies.importer import import_feed

    feed = tmp_path / "feed.json"
    feed.write_text(
        '[{"source_id": "r1", "title": "Lasser", "language": "nl", "occupation": "lasser",'
        ' "place": "Kortrijk", "employer": "Metaal NV", "posted": "2026-11-30",'
        ' "expires": "2027-01-31", "contract_type": "permanent",'
        ' "url": "https://www.vdab.be/vindeenjob/r1"}]'
    )
    from bot.storage import migrate

    migrate.upgrade(database_url)
    engine = db.make_engine(database_url)
    report = import_feed(engine, feed, source="vdab")
    engine.dispose()
    assert report.inserted == 1, report.summary()
    demo.prepare(Settings.from_env({"DATABASE_URL": database_url}), say=lambda _t: None)
    assert _counts(database_url)[0] == 1
