"""Which projection the consumer feeds."""

from __future__ import annotations

from sqlalchemy import create_engine

from bot.events import no_projection
from bot.events.projection import broker_feeds_console, projection_for


def test_without_the_console_tables_events_are_only_recorded(tmp_path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    assert projection_for(engine) is no_projection
    engine.dispose()


def test_only_production_mode_feeds_the_console_from_the_broker() -> None:
    assert broker_feeds_console({"BOT_MODE": "production"})
    assert not broker_feeds_console({})
