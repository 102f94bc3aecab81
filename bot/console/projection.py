"""``refresh_projection(engine)``: bring the conversation projection up to date.

The projection (tables ``conversations``, ``conversation_intents``, ``conversation_words``
and ``inbox_messages``) is folded from Rasa's ``events`` table by :func:`bot.console.summary.apply`.
A position (the last event id read) in ``projection_state`` makes each refresh read only
newer events, so it costs nothing when nothing happened and can run on every list request.

Safe to run repeatedly and concurrently: each batch runs in one transaction that first
locks the state row (``SELECT ... FOR UPDATE`` on PostgreSQL; ``BEGIN IMMEDIATE`` on SQLite
locks the database), reads the position, applies the events after it and moves it. A second
refresh waits for the lock and then finds nothing new; a failure rolls the batch back,
position included.

Gaps: PostgreSQL gives an event its id when it is inserted, not when its transaction
commits, so a refresh may see event 105 while 104 is still being written by another Rasa
process. Ids skipped over are remembered for ``GAP_TIMEOUT_S`` and read again by the next
refreshes; a gap still empty after that was a rolled-back insert or a deleted event.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from bot.config import Settings
from bot.console import summary as projection
from bot.console.summary import Summary, UserMessage
from bot.storage import db, rasa_events
from bot.storage.console import (
    conversation_intents,
    conversation_words,
    conversations,
    inbox_messages,
    projection_state,
)

log = logging.getLogger(__name__)

STATE_NAME = "conversations"
# Each batch holds SQLite's write lock, and Rasa's tracker store waits for it to save a
# conversation: about 40 ms for 500 events on this machine (5,000 held it for a quarter of a
# second and made every conversation of the paced REST benchmark wait). Between batches on
# SQLite, a pause lets a waiting writer in: SQLite's busy handler polls (1, 2, 5, ... 50 ms)
# and would miss a lock released and taken again at once.
BATCH_EVENTS = 500
BATCH_PAUSE_S = 0.05
GAP_TIMEOUT_S = 120.0
MAX_GAPS = 2000
CHUNK = 500

Clock = Callable[[], float]


def refresh_projection(
    engine: Engine,
    inbox_confidence: float = 0.6,
    batch_events: int = BATCH_EVENTS,
    clock: Clock = time.time,
    pause_s: float = BATCH_PAUSE_S,
    inbox_sample: float = 0.0,
) -> int:
    """Apply every event newer than the projection's position; the number applied.

    ``inbox_confidence`` and ``inbox_sample`` say which messages go to the inbox
    (:func:`bot.console.summary.apply`). Blocking (database work): call it in a thread
    from the event loop.
    """
    if not rasa_events.exists(engine):
        return 0  # Rasa has not started yet: no conversation to show.
    if not _pending(engine):
        return 0  # the usual case on a list request: two reads, no write lock
    applied = 0
    while True:
        with db.transaction(engine) as connection:
            count, more = _refresh_batch(
                connection, (inbox_confidence, inbox_sample), batch_events, clock()
            )
        applied += count
        if not more:
            return applied
        if db.is_sqlite(engine):
            time.sleep(pause_s)


def refresh_for(engine: Engine, settings: Settings) -> int:
    """:func:`refresh_projection` with the inbox settings of ``settings``."""
    return refresh_projection(engine, settings.inbox_confidence, inbox_sample=settings.inbox_sample)


def _pending(engine: Engine) -> bool:
    """Whether events past the position (or remembered gaps) may need applying."""
    with db.reading(engine) as connection:
        state = connection.execute(
            select(projection_state.c.last_event_id, projection_state.c.gaps).where(
                projection_state.c.name == STATE_NAME
            )
        ).first()
        newest = connection.execute(select(func.max(rasa_events.events.c.id))).scalar() or 0
    if state is None:
        return bool(newest)
    return newest > state.last_event_id or (state.gaps or "{}") != "{}"


def lock_state(connection: Connection) -> tuple[int, dict[str, float]]:
    """Lock the projection's state row (creating it) and return (position, gaps).

    Whoever changes the projection or deletes events takes this lock first (the privacy
    tools too), so that a refresh never works from a position that is no longer true.
    """
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    connection.execute(
        dialect.insert(projection_state)
        .values(name=STATE_NAME, last_event_id=0, gaps="{}", updated_at=0.0)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    row = connection.execute(
        select(projection_state.c.last_event_id, projection_state.c.gaps)
        .where(projection_state.c.name == STATE_NAME)
        .with_for_update()
    ).one()
    return int(row.last_event_id), {k: float(v) for k, v in json.loads(row.gaps or "{}").items()}


def save_state(connection: Connection, position: int, gaps: dict[str, float], now: float) -> None:
    connection.execute(
        update(projection_state)
        .where(projection_state.c.name == STATE_NAME)
        .values(last_event_id=position, gaps=json.dumps(gaps), updated_at=now)
    )


def rewind_after_delete(connection: Connection) -> None:
    """After events were deleted: never stand beyond the newest event that remains.

    SQLite reuses the ids of deleted rows at the end of the table, so new events of a new
    conversation could otherwise get ids at or below the position and never be projected.
    Call it in the transaction that deleted, after :func:`lock_state`.
    """
    position, gaps = lock_state(connection)
    newest = connection.execute(select(func.max(rasa_events.events.c.id))).scalar() or 0
    if newest < position:
        gaps = {k: v for k, v in gaps.items() if int(k) <= newest}
        save_state(connection, int(newest), gaps, time.time())


def _refresh_batch(
    connection: Connection, inbox: tuple[float, float], batch_events: int, now: float
) -> tuple[int, bool]:
    position, gaps = lock_state(connection)
    events_table = rasa_events.events
    rows = list(
        connection.execute(
            select(events_table)
            .where(events_table.c.id > position)
            .order_by(events_table.c.id)
            .limit(batch_events)
        )
    )
    late = _late_events(connection, gaps)
    found = [rasa_events.from_row(row) for row in late + rows]
    if not found and not gaps:
        return 0, False
    seen = {event.id for event in found}
    gaps = {k: v for k, v in gaps.items() if int(k) not in seen and now - v < GAP_TIMEOUT_S}
    newest = max([position, *(int(row.id) for row in rows)])
    gaps.update(_new_gaps(position, [int(row.id) for row in rows], now))
    if len(gaps) > MAX_GAPS:
        log.warning("projection: %d event ids missing, keeping the newest", len(gaps))
        gaps = dict(sorted(gaps.items(), key=lambda item: int(item[0]))[-MAX_GAPS:])
    if found:
        apply_events(connection, found, *inbox)
    save_state(connection, newest, gaps, now)
    return len(found), len(rows) == batch_events


def _late_events(connection: Connection, gaps: dict[str, float]) -> list[Any]:
    if not gaps:
        return []
    ids = sorted(int(k) for k in gaps)
    found: list[Any] = []
    for start in range(0, len(ids), CHUNK):
        found += connection.execute(
            select(rasa_events.events)
            .where(rasa_events.events.c.id.in_(ids[start : start + CHUNK]))
            .order_by(rasa_events.events.c.id)
        ).all()
    return found


def _new_gaps(position: int, ids: Sequence[int], now: float) -> dict[str, float]:
    gaps: dict[str, float] = {}
    previous = position
    for event_id in ids:
        for missing in range(previous + 1, min(event_id, previous + 1 + MAX_GAPS)):
            gaps[str(missing)] = now
        previous = event_id
    return gaps


def apply_events(
    connection: Connection,
    events: Iterable[rasa_events.StoredEvent],
    inbox_confidence: float,
    inbox_sample: float = 0.0,
) -> None:
    """Fold ``events`` (any conversations, in id order) into the projection tables.

    The caller holds the state lock (:func:`lock_state`) and owns the transaction; the
    broker path will call this with events that have no row id.
    """
    by_sender: dict[str, list[rasa_events.StoredEvent]] = defaultdict(list)
    for event in events:
        by_sender[event.sender_id].append(event)
    existing = load_summaries(connection, list(by_sender))
    inbox: list[tuple[str, UserMessage]] = []
    new_rows, changed = [], []
    for sender, batch in by_sender.items():
        before = existing.get(sender)
        result = projection.apply(
            before[1] if before else None, batch, inbox_confidence, inbox_sample
        )
        inbox += [(sender, message) for message in result.inbox]
        if before is None:
            new_rows.append(result.summary)
        else:
            changed.append((before[0], before[1], result.summary))
    _insert_summaries(connection, new_rows)
    _update_summaries(connection, changed)
    _store_inbox(connection, inbox)


def load_summaries(conn: Connection, senders: Sequence[str]) -> dict[str, tuple[int, Summary]]:
    """The stored summaries of ``senders``: ``{sender_id: (row id, summary)}``."""
    found: dict[str, tuple[int, Summary]] = {}
    for start in range(0, len(senders), CHUNK):
        chunk = senders[start : start + CHUNK]
        words: dict[str, set[str]] = defaultdict(set)
        w = conversation_words.c
        for sender, word in conn.execute(select(w.sender_id, w.word).where(w.sender_id.in_(chunk))):
            words[sender].add(word)
        rows = conn.execute(select(conversations).where(conversations.c.sender_id.in_(chunk)))
        for row in rows:
            found[row.sender_id] = (int(row.id), _summary(row, frozenset(words[row.sender_id])))
    return found


def _summary(row: Any, words: frozenset[str]) -> Summary:
    state = json.loads(row.state or "{}")
    last_user = state.get("last_user")
    return Summary(
        sender_id=row.sender_id,
        first_at=float(row.first_at),
        last_at=float(row.last_at),
        language=row.language,
        channel=row.channel,
        events=int(row.events),
        user_messages=int(row.user_messages),
        bot_messages=int(row.bot_messages),
        fallbacks=int(row.fallbacks),
        handoff=bool(row.handoff),
        booking=bool(row.booking),
        intents=frozenset(i for i in (row.intents or "").split() if i),
        words=words,
        language_from_slot=bool(state.get("language_from_slot")),
        last_user=UserMessage.from_dict(last_user) if last_user else None,
        in_fallback_loop=bool(state.get("in_fallback_loop")),
        requested_slot=state.get("requested_slot") or None,
    )


def _columns(summary: Summary) -> dict[str, Any]:
    return {
        "sender_id": summary.sender_id,
        "first_at": summary.first_at,
        "last_at": summary.last_at,
        "first_day": summary.first_day,
        "language": summary.language,
        "channel": (summary.channel or "")[:32] or None,
        "events": summary.events,
        "user_messages": summary.user_messages,
        "bot_messages": summary.bot_messages,
        "fallbacks": summary.fallbacks,
        "fallback": summary.fallback,
        "handoff": summary.handoff,
        "booking": summary.booking,
        "intents": " ".join(sorted(summary.intents)),
        "state": json.dumps(summary.state()),
    }


def _insert_summaries(connection: Connection, summaries: Sequence[Summary]) -> None:
    if not summaries:
        return
    connection.execute(insert(conversations), [_columns(s) for s in summaries])
    words = [{"sender_id": s.sender_id, "word": w} for s in summaries for w in s.words]
    if words:
        connection.execute(insert(conversation_words), words)
    intents = [{"sender_id": s.sender_id, "intent": i} for s in summaries for i in s.intents]
    if intents:
        connection.execute(insert(conversation_intents), intents)


def _update_summaries(
    connection: Connection, changed: Sequence[tuple[int, Summary, Summary]]
) -> None:
    if not changed:
        return
    for row_id, _before, after in changed:
        connection.execute(
            update(conversations).where(conversations.c.id == row_id).values(_columns(after))
        )
    words = [
        {"sender_id": a.sender_id, "word": w} for _r, b, a in changed for w in a.words - b.words
    ]
    if words:
        connection.execute(insert(conversation_words), words)
    intents = [
        {"sender_id": a.sender_id, "intent": i}
        for _r, b, a in changed
        for i in a.intents - b.intents
    ]
    if intents:
        connection.execute(insert(conversation_intents), intents)


def _store_inbox(connection: Connection, messages: Sequence[tuple[str, UserMessage]]) -> None:
    """Insert new inbox messages; one seen before only gains its ``fallback`` flag.

    A form answer never gets here (``summary`` leaves it out); the check below keeps it so
    if that ever changes, because the inbox is what gets exported as training data.
    """
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    for sender, message in messages:
        if message.form_answer:
            continue
        statement = dialect.insert(inbox_messages).values(_inbox_row(sender, message))
        statement = statement.on_conflict_do_update(
            index_elements=["sender_id", "message_key"],
            set_={"fallback": statement.excluded.fallback, "reason": _kept_reason(statement)},
        )
        connection.execute(statement)


def _kept_reason(statement: Any) -> Any:
    """A consultant's report stays the reason; otherwise the newest reason wins."""
    current = inbox_messages.c.reason
    return case((current == "reported", current), else_=statement.excluded.reason)


def _inbox_row(sender: str, message: UserMessage) -> dict[str, Any]:
    return {
        "sender_id": sender,
        "message_key": message.key,
        "event_id": message.event_id,
        "at": message.at,
        "text": message.text,
        "language": message.language,
        "intent": message.intent,
        "confidence": message.confidence,
        "suggested_intent": message.suggested_intent,
        "fallback": message.fallback,
        "reason": message.reason,
        "status": "open",
    }


def delete_conversations(connection: Connection, senders: Sequence[str]) -> dict[str, int]:
    """Remove the projection rows of ``senders`` (the privacy tools); counts per table."""
    counts: dict[str, int] = {}
    for table in (conversations, conversation_intents, conversation_words, inbox_messages):
        total = 0
        for start in range(0, len(senders), CHUNK):
            chunk = senders[start : start + CHUNK]
            total += connection.execute(delete(table).where(table.c.sender_id.in_(chunk))).rowcount
        counts[table.name] = total
    return counts
