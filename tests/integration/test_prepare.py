"""The launcher's preparation step: migrations, then the demo vacancies into an empty table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import prepare
from bot.config import Settings
from bot.storage import db
from bot.storage import vacancies as table
from bot.vacancy_import import import_feed
from tests.vacancy_factories import feed_row


def _settings(tmp_path: Path) -> Settings:
    return Settings.from_env(
        {"BOT_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}"}
    )


def _counts(settings: Settings) -> tuple[int, int]:
    engine = db.make_engine(settings.database_url)
    with db.reading(engine) as connection:
        counts = table.count(connection), table.count(connection, "demo")
    engine.dispose()
    return counts


def test_first_start_imports_the_demo_feed_and_the_next_one_does_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(tmp_path)
    prepare(settings)
    total, demo = _counts(settings)
    assert total == demo >= 300
    assert "importing the demo feed" in capsys.readouterr().out
    prepare(settings)
    assert _counts(settings) == (total, demo)
    assert f"database up to date, {total} vacancies" in capsys.readouterr().out


def test_a_database_with_its_own_feed_gets_no_demo_offers(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    prepare(settings)  # creates the tables (and the demo offers) ...
    engine = db.make_engine(settings.database_url)
    with db.transaction(engine) as connection:
        connection.execute(table.vacancies.delete())
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps({"source": "partner", "vacancies": [feed_row(id="p1")]}))
    import_feed(engine, feed)
    engine.dispose()
    prepare(settings)  # ... but never into a table that holds a real feed
    assert _counts(settings) == (1, 0)
