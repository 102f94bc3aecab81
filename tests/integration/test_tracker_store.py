"""Rasa's tracker store, the project's subclass, on a real SQLite file and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from bot.ops.tracker_store import tracker_store_config
from bot.server.tracker_store import ProjectSQLTrackerStore


def _rasa_config(database_url: str) -> dict:
    config = tracker_store_config(database_url)
    config.pop("type")
    if "url" in config:  # what Rasa passes as host= from an endpoints file
        config["host"] = config.pop("url")
    return {"domain": Domain.empty(), **config}


def _store(database_url: str) -> ProjectSQLTrackerStore:
    return ProjectSQLTrackerStore(**_rasa_config(database_url))


async def test_conversations_are_saved_and_read_back(database_url: str) -> None:
    store = _store(database_url)
    tracker = DialogueStateTracker("candidate-1", slots=[])
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("ik zoek werk in Kortrijk", {"name": "search_vacancies"}))
    await store.save(tracker)
    again = await _store(database_url).retrieve("candidate-1")
    assert again is not None
    assert again.latest_message.text == "ik zoek werk in Kortrijk"
    store.engine.dispose()


async def test_sqlite_file_uses_write_ahead_logging(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'rasa.db'}"
    store = _store(url)
    await store.save(DialogueStateTracker("candidate-2", slots=[]))
    with sqlite3.connect(make_url(url).database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.engine.dispose()


# A conversation of four messages; the third starts a new session. Timestamps are fixed so
# that two stores given the same events write the same rows.
def _rounds(start: float) -> list[list]:
    rounds = []
    clock = start
    for turn in range(4):
        events = []
        if turn == 2:
            events += [
                ActionExecuted("action_session_start", timestamp=clock),
                SessionStarted(timestamp=clock + 0.1),
            ]
            events.append(ActionExecuted("action_listen", timestamp=clock + 0.2))
        events += [
            UserUttered(
                f"message {turn}", {"name": "greet", "confidence": 0.9}, timestamp=clock + 1
            ),
            ActionExecuted("utter_greet", timestamp=clock + 2),
            BotUttered(f"answer {turn}", timestamp=clock + 3),
            ActionExecuted("action_listen", timestamp=clock + 4),
        ]
        rounds.append(events)
        clock += 10
    return rounds


class _Recorder(EventBroker):
    def __init__(self) -> None:
        self.published: list[dict] = []

    def publish(self, event: dict) -> None:
        self.published.append(event)


async def _converse(
    store: SQLTrackerStore, sender: str, rounds: list[list]
) -> DialogueStateTracker:
    """Message by message, as Rasa's processor does: read, add the turn's events, save."""
    await store.get_or_create_tracker(sender)
    for events in rounds:
        tracker = await store.retrieve(sender)
        assert tracker is not None
        for event in events:
            tracker.update(event)
        await store.save(tracker)
    tracker = await store.retrieve(sender)
    assert tracker is not None
    return tracker


def _rows(store: SQLTrackerStore, sender: str) -> list[tuple]:
    with store.session_scope() as session:
        query = session.query(
            store.SQLEvent.type_name,
            store.SQLEvent.intent_name,
            store.SQLEvent.action_name,
            store.SQLEvent.timestamp,
            store.SQLEvent.data,
        )
        return list(query.filter(store.SQLEvent.sender_id == sender).order_by(store.SQLEvent.id))


async def test_the_project_store_writes_and_reads_what_rasas_store_does(database_url: str) -> None:
    rounds = _rounds(time.time() + 60)  # after the first action_listen, stamped "now"
    ours, rasas = _store(database_url), SQLTrackerStore(**_rasa_config(database_url))
    ours_broker, rasas_broker = _Recorder(), _Recorder()
    ours.event_broker, rasas.event_broker = ours_broker, rasas_broker

    read_ours = await _converse(ours, "ours", rounds)
    read_rasas = await _converse(rasas, "rasas", rounds)

    # Row 0 is the first action_listen, which Rasa stamps with the time of creation.
    assert _rows(ours, "ours")[1:] == _rows(rasas, "rasas")[1:]
    assert _rows(ours, "ours")[0][:3] == _rows(rasas, "rasas")[0][:3]
    assert len(_rows(ours, "ours")) == 1 + sum(len(events) for events in rounds)
    # Both read back the latest session only.
    assert [e.as_dict() for e in read_ours.events] == [e.as_dict() for e in read_rasas.events]
    assert isinstance(read_ours.events[0], SessionStarted)
    assert len(read_ours.events) == len(rounds[2]) - 1 + len(rounds[3])
    # The broker gets the same events (the first action_listen aside, as above).
    assert [e["sender_id"] for e in ours_broker.published] == ["ours"] * len(_rows(ours, "ours"))
    assert ours_broker.published[1:] == [
        {**e, "sender_id": "ours"} for e in rasas_broker.published[1:]
    ]
    assert len(ours_broker.published) == len(_rows(ours, "ours"))
    ours.engine.dispose()
    rasas.engine.dispose()


async def test_saving_a_tracker_read_from_the_store_neither_counts_nor_reads_again(
    database_url: str,
) -> None:
    rounds = _rounds(time.time() + 60)  # after the first action_listen, stamped "now"
    store = _store(database_url)
    store.event_broker = _Recorder()
    await store.get_or_create_tracker("counted")
    tracker = await store.retrieve("counted")
    assert tracker is not None
    statements: list[str] = []
    sa.event.listen(
        store.engine, "before_cursor_execute", lambda *args: statements.append(args[2].lower())
    )
    for event in rounds[0]:
        tracker.update(event)
    await store.save(tracker)

    assert not [s for s in statements if s.lstrip().startswith("select")], statements
    assert [s for s in statements if s.lstrip().startswith("insert")], statements
    assert len(_rows(store, "counted")) == 1 + len(rounds[0])
    store.engine.dispose()


async def test_a_tracker_the_store_did_not_read_is_counted_as_rasa_counts_it(
    database_url: str,
) -> None:
    rounds = _rounds(time.time() + 60)  # after the first action_listen, stamped "now"
    store = _store(database_url)
    first = DialogueStateTracker("rebuilt", slots=[])
    for event in rounds[0]:
        first.update(event)
    await store.save(first)
    # The HTTP API's "replace events" builds a new tracker with the same first events.
    rebuilt = DialogueStateTracker.from_events("rebuilt", [*first.events, *rounds[1]])
    await store.save(rebuilt)

    rows = _rows(store, "rebuilt")
    assert [row.data for row in rows] == [json.dumps(e.as_dict()) for e in rebuilt.events]
    store.engine.dispose()


def _one_message(sender: str, text: str, intent: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, slots=[])
    tracker.update(UserUttered(text, {"name": intent}))
    return tracker


def _hold_write_lock(url: str) -> sqlite3.Connection:
    """A second connection to the SQLite file that holds its write lock until it commits."""
    holder = sqlite3.connect(make_url(url).database, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


async def test_reading_a_conversation_does_not_wait_for_a_writer(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'rasa.db'}"
    store = _store(url)
    await store.save(_one_message("reader", "hoe zit het met de belastingen?", "faq"))
    holder = _hold_write_lock(url)
    try:
        # A BEGIN IMMEDIATE would wait for the busy timeout (30 s) here.
        again = await asyncio.wait_for(_store(url).retrieve("reader"), timeout=5)
    finally:
        holder.rollback()
        holder.close()
    assert again is not None
    assert again.latest_message.text == "hoe zit het met de belastingen?"
    store.engine.dispose()


async def test_a_save_waiting_for_the_lock_leaves_the_event_loop_free(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'rasa.db'}"
    store = _store(url)
    await store.save(_one_message("other", "bonjour", "greet"))
    tracker = _one_message("waiting", "je cherche un emploi à Courtrai", "search_vacancies")
    holder = _hold_write_lock(url)
    try:
        saving = asyncio.create_task(store.save(tracker))
        # While the save waits for the lock, the loop still serves other conversations.
        other = await asyncio.wait_for(store.retrieve("other"), timeout=5)
        await asyncio.sleep(0.3)
        assert other is not None
        assert not saving.done()
    finally:
        holder.commit()
        holder.close()
    await asyncio.wait_for(saving, timeout=5)
    assert [row[0] for row in _rows(store, "waiting")] == ["user"]
    store.engine.dispose()


async def test_the_answers_to_a_message_are_read_from_its_rows_alone(database_url: str) -> None:
    """What the REST replay asks when a message comes again: the same answers as from the
    whole conversation, None for a message the conversation does not hold."""
    from bot.server.patches import answers_after

    store = _store(database_url)
    sender = f"replay-{time.time_ns()}"
    tracker = DialogueStateTracker(sender, slots=[])
    for turn in range(8):
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(UserUttered(f"message {turn}", {"name": "greet"}, message_id=f"m{turn}"))
        tracker.update(ActionExecuted("utter_greet"))
        tracker.update(BotUttered(f"answer {turn}", {"buttons": [{"title": "ok"}]}))
        tracker.update(BotUttered(f"second answer {turn}"))
    await store.save(tracker)
    everything = list(tracker.events)
    for turn in (7, 5):
        events = await store.events_of_message(sender, f"m{turn}")
        assert events is not None
        assert answers_after(events, f"m{turn}") == answers_after(everything, f"m{turn}")
        assert [a["text"] for a in answers_after(events, f"m{turn}") or []] == [
            f"answer {turn}",
            f"second answer {turn}",
        ]
    assert await store.events_of_message(sender, "never-sent") is None
    assert await store.events_of_message("nobody", "m7") is None
    store.engine.dispose()
