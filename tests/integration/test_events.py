"""The event consumer's writes (SQLite, PostgreSQL) and the consumer on the real RabbitMQ."""

from __future__ import annotations

import asyncio
import json
import uuid

import aio_pika
import pytest
from sqlalchemy import func, select

from bot.events import BrokerEvent, parse, write_batch
from bot.events.consumer import DEFAULT_EXCHANGE, Consumer
from bot.storage import db
from bot.storage.consumed_events import consumed_events

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"


def _event(sender: str, kind: str = "user", timestamp: float = 1.0, **data: object) -> dict:
    return {"sender_id": sender, "event": kind, "timestamp": timestamp, **data}


def test_a_message_that_is_not_a_rasa_event_is_recognised() -> None:
    assert parse(b"not json") is None
    assert parse(b'{"event": "user"}') is None
    assert parse(json.dumps(_event("s", text="hoi")).encode()) == BrokerEvent(
        "s", "user", 1.0, _event("s", text="hoi")
    )


def test_the_key_tells_events_apart_and_repeats_itself() -> None:
    first = parse(json.dumps(_event("s", text="hoi")).encode())
    again = parse(json.dumps(_event("s", text="hoi")).encode())
    other = parse(json.dumps(_event("s", text="dag")).encode())
    assert first and again and other
    assert first.key == again.key != other.key


def test_a_redelivered_batch_changes_nothing(database_url: str) -> None:
    engine = db.make_engine(database_url)
    events = [parse(json.dumps(_event("s", timestamp=t)).encode()) for t in (1.0, 2.0, 2.0)]
    seen: list[list[BrokerEvent]] = []
    with db.transaction(engine) as connection:
        assert write_batch(connection, events, lambda _c, new: seen.append(list(new))) == 2
    with db.transaction(engine) as connection:
        assert write_batch(connection, events, lambda _c, new: seen.append(list(new))) == 0
    assert [len(batch) for batch in seen] == [2]  # the projection saw each event once
    with db.reading(engine) as connection:
        count = connection.execute(select(func.count()).select_from(consumed_events)).scalar()
    assert count == 2
    engine.dispose()


async def _publish(queue: str, bodies: list[bytes]) -> None:
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(DEFAULT_EXCHANGE, aio_pika.ExchangeType.FANOUT)
        declared = await channel.declare_queue(queue, durable=True)
        await declared.bind(exchange, "")
        for body in bodies:
            # Straight to the test's queue: other queues bound to Rasa's exchange stay out.
            await channel.default_exchange.publish(
                aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT), queue
            )


async def _delete(queue: str) -> None:
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue)


async def _consume_until(consumer: Consumer, condition, timeout_s: float = 20) -> None:  # type: ignore[no-untyped-def]
    stop = asyncio.Event()
    task = asyncio.ensure_future(consumer.run(stop))
    deadline = asyncio.get_running_loop().time() + timeout_s
    try:
        while not condition():
            assert asyncio.get_running_loop().time() < deadline, consumer.stats
            await asyncio.sleep(0.2)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


@pytest.mark.postgres
async def test_consumer_writes_waiting_events_once_and_acks_them(database_url: str) -> None:
    try:
        await aio_pika.connect(AMQP_URL, timeout=3)
    except Exception as exc:
        pytest.skip(f"no RabbitMQ: {exc}")
    queue = f"crossborder_test_{uuid.uuid4().hex[:8]}"
    sender = f"consumer-{uuid.uuid4().hex}"
    bodies = [json.dumps(_event(sender, timestamp=float(t))).encode() for t in range(5)]
    engine = db.make_engine(database_url)
    try:
        # Published while no consumer runs (it was down), one of them twice (redelivery),
        # and a message that is not an event at all.
        await _publish(queue, [*bodies, bodies[2], b"garbage"])
        consumer = Consumer(AMQP_URL, queue, engine, batch_size=3)
        await _consume_until(
            consumer, lambda: consumer.stats.written == 5 and consumer.stats.rejected == 1
        )
        assert consumer.stats.duplicates == 1 and consumer.stats.rejected == 1
        # Everything was acknowledged: a new consumer finds nothing left.
        again = Consumer(AMQP_URL, queue, engine)
        await _consume_until(again, lambda: again.stats.connected)
        await asyncio.sleep(1)
        assert again.stats.received == 0
    finally:
        await _delete(queue)
        engine.dispose()
