"""The console from the broker (event consumer) equals the console from the tracker store.

The same conversations are saved in Rasa's SQL tracker store of database A, projected there by
the console's ``refresh_projection`` (the embedded default), and published as broker messages
into database B through the consumer's ``write_batch``, twice (a redelivery).
"""

from __future__ import annotations

import json
from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import text

from bot.console import projection as console
from bot.events import parse, write_batch
from bot.events.projection import console_projection, projection_for
from bot.ops.tracker_store import tracker_store_config
from bot.server.tracker_store import ProjectSQLTrackerStore
from bot.storage import db, migrate

CONVERSATIONS = (
    ("s-fr", "fr", ["Bonjour", "je cherche un emploi à Courtrai"]),
    ("s-nl", "nl", ["hallo", "ik wil een mens spreken"]),
)
COLUMNS = (
    "sender_id, first_at, last_at, language, channel, events, user_messages, bot_messages,"
    " fallbacks, fallback, handoff, booking, intents"
)


def _store(url: str) -> ProjectSQLTrackerStore:
    config = tracker_store_config(url)
    config.pop("type")
    return ProjectSQLTrackerStore(domain=Domain.empty(), **config)


async def _save_conversations(url: str) -> list[bytes]:
    """Save the conversations; the broker messages Rasa would publish for them."""
    store = _store(url)
    published = []
    for sender, language, texts in CONVERSATIONS:
        tracker = DialogueStateTracker(sender, slots=[])
        tracker.update(ActionExecuted("action_listen"))
        for message in texts:
            parse_data = {
                "intent": {"name": "greet", "confidence": 0.95},
                "language": {"name": language, "confidence": 0.9, "words": 2},
            }
            tracker.update(
                UserUttered(
                    message, parse_data["intent"], parse_data=parse_data, input_channel="rest"
                )
            )
            tracker.update(SlotSet("language", language))
            tracker.update(BotUttered("ok"))
            tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)
        published += [
            json.dumps({"sender_id": sender, **e.as_dict()}).encode() for e in tracker.events
        ]
    store.engine.dispose()
    return published


def _rows(engine) -> list[tuple]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        query = text(f"SELECT {COLUMNS} FROM conversations ORDER BY sender_id")
        return [tuple(row) for row in connection.execute(query)]


async def test_broker_path_gives_the_console_of_the_tracker_store_path(tmp_path: Path) -> None:
    embedded, broker = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    for url in (embedded, broker):
        migrate.upgrade(url)
    published = await _save_conversations(embedded)
    from_store = db.make_engine(embedded)
    console.refresh_projection(from_store)
    from_broker = db.make_engine(broker)
    assert projection_for(from_broker).func is console_projection  # type: ignore[attr-defined]
    events = [parse(body) for body in published]
    with db.transaction(from_broker) as connection:
        assert write_batch(connection, events, console_projection) == len(events)
    with db.transaction(from_broker) as connection:  # redelivered: nothing changes
        assert write_batch(connection, events, console_projection) == 0
    assert _rows(from_broker) == _rows(from_store) != []
    from_store.dispose()
    from_broker.dispose()
