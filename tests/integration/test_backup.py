"""scripts/backup.sh and scripts/restore.sh on a real PostgreSQL database.

A database with conversations (Rasa's tracker store) and bookings is backed up, restored
into a new database, and every table of both is compared row by row.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import uuid
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from bot import sessions
from bot.ops.tracker_store import tracker_store_config
from bot.server.tracker_store import ProjectSQLTrackerStore
from bot.storage import db, migrate
from tests.integration.conftest import POSTGRES_ADMIN_URL, _postgres_database

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def source_url():  # type: ignore[no-untyped-def]
    yield from _postgres_database()


async def _conversations(url: str) -> None:
    config = tracker_store_config(url)
    config.pop("type")
    config["host"] = config.pop("url")
    store = ProjectSQLTrackerStore(domain=Domain.empty(), **config)
    for sender, text_ in (("fr-1", "je cherche un emploi à Courtrai"), ("nl-1", "ik zoek werk")):
        tracker = DialogueStateTracker(sender, slots=[])
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(UserUttered(text_, {"name": "search_vacancies", "confidence": 0.9}))
        tracker.update(BotUttered("…"))
        await store.save(tracker)
    store.engine.dispose()


def _bookings(url: str) -> None:
    engine = db.make_engine(url)
    starts = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(days=10)
    with db.transaction(engine) as connection:
        session = sessions.create_session(
            connection,
            title_fr="Job dating",
            title_nl="Jobdating",
            topic="job_dating",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            venue="Kortrijk",
            language="fr+nl",
            capacity=2,
        )
    for i in range(3):  # two confirmed, one on the waiting list
        with db.transaction(engine) as connection:
            sessions.book(
                connection,
                session.id,
                name=f"Kandidaat {'ABC'[i]}eters",
                email=f"kandidaat{i}@example.org",
                language="nl",
            )
    engine.dispose()


def _tables(url: str) -> dict[str, list[tuple]]:
    engine = create_engine(url, future=True)
    try:
        names = sorted(inspect(engine).get_table_names())
        with engine.connect() as connection:
            return {
                name: [
                    tuple(row)
                    for row in connection.execute(text(f'SELECT * FROM "{name}" ORDER BY 1'))
                ]
                for name in names
            }
    finally:
        engine.dispose()


async def test_backup_then_restore_into_a_new_database_gives_the_same_data(
    source_url: str, tmp_path: Path
) -> None:
    migrate.upgrade(source_url)
    await _conversations(source_url)
    _bookings(source_url)
    backup = tmp_path / "backup.dump"
    subprocess.run(["scripts/backup.sh", source_url, str(backup)], cwd=ROOT, check=True)
    assert backup.stat().st_size > 0 and oct(backup.stat().st_mode)[-3:] == "600"
    target = str(make_url(POSTGRES_ADMIN_URL).set(database=f"restored_{uuid.uuid4().hex[:10]}"))
    try:
        subprocess.run(
            ["scripts/restore.sh", str(backup), target, "--create"], cwd=ROOT, check=True
        )
        before, after = _tables(source_url), _tables(target)
        assert {"events", "info_sessions", "session_bookings"} <= set(after)
        assert len(after["events"]) >= 6 and len(after["session_bookings"]) == 3
        assert after == before
        migrate.upgrade(target)  # nothing missing: the migrations are at their heads
        # Restoring over a database that holds data is refused.
        refused = subprocess.run(
            ["scripts/restore.sh", str(backup), target], cwd=ROOT, capture_output=True, text=True
        )
        assert refused.returncode == 1 and "not empty" in refused.stderr
    finally:
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
        with admin.connect() as connection:
            name = make_url(target).database
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
