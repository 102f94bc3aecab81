"""A privacy erasure reaches what lives outside the database: the events of the erased
conversation still queued in RabbitMQ, and its Redis keys (production mode).

Real RabbitMQ (a queue of the test's own) and real Redis (keys of unique conversations).
"""

from __future__ import annotations

import json
import time
import uuid

import aio_pika
import pytest
import redis
from rasa.core.lock_store import RedisLockStore
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot import privacy, redis_keys
from bot.channels.memory import RedisButtons
from bot.events import parse, write_batch
from bot.events.consumer import Consumer
from bot.events.projection import console_projection
from bot.server import redis_lock
from bot.storage import db
from bot.storage.console import conversations
from bot.storage.consumed_events import consumed_events
from tests.integration.test_events import AMQP_URL, _publish, _running, queue  # noqa: F401

REDIS_URL = "redis://127.0.0.1:6379/0"


def _user(sender: str, text: str, timestamp: float) -> bytes:
    return json.dumps(
        {
            "sender_id": sender,
            "event": "user",
            "timestamp": timestamp,
            "text": text,
            "parse_data": {"intent": {"name": "greet", "confidence": 0.9}},
            "input_channel": "rest",
        }
    ).encode()


def _messages(engine: Engine, sender: str) -> int | None:
    """The console's count of user messages of ``sender``; None: no such conversation."""
    with db.reading(engine) as conn:
        row = conn.execute(
            select(conversations.c.user_messages).where(conversations.c.sender_id == sender)
        ).first()
    return None if row is None else int(row.user_messages)


def _consumed(engine: Engine, sender: str) -> int:
    with db.reading(engine) as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(consumed_events)
                .where(consumed_events.c.sender_id == sender)
            ).scalar_one()
        )


def _project(engine: Engine, bodies: list[bytes]) -> None:
    with db.transaction(engine) as conn:
        write_batch(conn, [parse(body) for body in bodies], console_projection)


def _erase(engine: Engine, sender: str, redis_url: str | None = None) -> privacy.ErasureReport:
    query = privacy.CandidateQuery.of(conversation=sender)
    return privacy.erase_and_notify(engine, None, "http://localhost", query, "test", redis_url)


async def _waiting(queue_name: str) -> int:
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue_name, passive=True)
        return int(declared.declaration_result.message_count or 0)


async def test_events_still_queued_for_an_erased_conversation_are_dropped(
    engine: Engine,
    queue: str,  # noqa: F811
) -> None:
    erased, other = f"erased-{uuid.uuid4().hex}", f"kept-{uuid.uuid4().hex}"
    start = time.time() - 60
    _project(engine, [_user(erased, "bonjour", start), _user(other, "hallo", start)])
    # Published while the consumer was busy or down: still in the queue at the erasure.
    queued = [
        _user(erased, "mon adresse est marie@example.org", start + 1),
        _user(other, "ik zoek werk", start + 1),
    ]
    await _publish(queue, queued)
    report = _erase(engine, erased)
    assert report.counts["conversations"] == 1 and _messages(engine, erased) is None
    # The candidate comes back after the erasure: a new conversation, kept.
    await _publish(queue, [_user(erased, "re-bonjour", time.time() + 1)])

    consumer = Consumer(AMQP_URL, queue, engine, project=console_projection)
    async with _running(consumer) as until:
        await until(lambda: consumer.stats.received == 3)
        await until(lambda: consumer.stats.last_write_at > 0)
    assert _messages(engine, other) == 2
    # Only the message written after the erasure is there; the queued one never came back.
    assert _messages(engine, erased) == 1 and _consumed(engine, erased) == 1
    assert await _waiting(queue) == 0  # dropped for good, not left in the queue


@pytest.fixture
def redis_server() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis: {exc}")


async def test_erasure_deletes_the_conversations_redis_keys(
    engine: Engine,
    redis_server: None,
) -> None:
    erased = f"whatsapp:+32470{uuid.uuid4().int % 10**6:06d}"
    other = f"whatsapp:+32471{uuid.uuid4().int % 10**6:06d}"
    _project(engine, [_user(erased, "bonjour", time.time()), _user(other, "hallo", time.time())])
    # As production mode configures them: Rasa's lock store (patched: its tickets' holders
    # recorded beside the lock) and the channels' buttons.
    locks = RedisLockStore(host="127.0.0.1", port=6379, db=0, key_prefix=redis_keys.PREFIX)
    buttons = RedisButtons(REDIS_URL)
    for sender in (erased, other):
        redis_lock.issue_ticket(locks, sender)
        await buttons.remember(sender, [{"title": "Oui", "payload": "/affirm"}])
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = {s: redis_keys.conversation_keys(s) for s in (erased, other)}
        assert client.exists(*keys[erased]) == 3 and client.exists(*keys[other]) == 3

        report = _erase(engine, erased, REDIS_URL)

        assert report.counts["redis_keys"] == 3
        assert client.exists(*keys[erased]) == 0
        assert client.exists(*keys[other]) == 3  # another conversation's keys stay
    finally:
        client.delete(*keys[other])
        client.close()


def test_redis_down_leaves_the_database_erasure_done(engine: Engine) -> None:
    sender = f"erased-{uuid.uuid4().hex}"
    _project(engine, [_user(sender, "bonjour", time.time())])
    report = _erase(engine, sender, "redis://127.0.0.1:9/0")
    assert report.counts["redis_keys"] == -1 and _messages(engine, sender) is None
