"""The event consumer's writes (SQLite, PostgreSQL) and the consumer on the real RabbitMQ."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

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


class _Delivery:
    """What the consumer uses of an aio-pika message: its body, its channel, ack and nack."""

    def __init__(self, body: bytes, channel_closed: bool) -> None:
        self.body = body
        self.channel = type("Channel", (), {"is_closed": channel_closed})()
        self.settled: list[str] = []

    async def ack(self) -> None:
        self.settled.append("ack")

    async def nack(self, requeue: bool) -> None:
        self.settled.append(f"nack requeue={requeue}")

    async def reject(self, requeue: bool) -> None:
        self.settled.append(f"reject requeue={requeue}")


async def test_messages_of_a_closed_channel_are_left_to_redelivery(database_url: str) -> None:
    engine = db.make_engine(database_url)
    consumer = Consumer(AMQP_URL, "unused", engine)
    live = _Delivery(json.dumps(_event("s", timestamp=1.0)).encode(), channel_closed=False)
    stale = _Delivery(json.dumps(_event("s", timestamp=2.0)).encode(), channel_closed=True)
    await consumer._handle([stale, live])
    # The stale one came before a reconnection: acking it would close the new channel, and
    # RabbitMQ sends it again anyway; it is neither written nor settled now.
    assert (live.settled, stale.settled) == (["ack"], [])
    assert consumer.stats.written == 1
    redelivered = _Delivery(stale.body, channel_closed=False)
    await consumer._handle([redelivered])
    assert redelivered.settled == ["ack"] and consumer.stats.written == 2
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


Until = Callable[[Callable[[], bool]], Awaitable[None]]


@contextlib.asynccontextmanager
async def _running(consumer: Consumer, timeout_s: float = 20) -> AsyncIterator[Until]:
    """Run ``consumer`` meanwhile; gives ``until(condition)``, which fails after the timeout."""
    stop = asyncio.Event()
    task = asyncio.ensure_future(consumer.run(stop))
    loop = asyncio.get_running_loop()

    async def until(condition: Callable[[], bool]) -> None:
        deadline = loop.time() + timeout_s
        while not condition():
            assert loop.time() < deadline, consumer.stats
            assert not task.done(), task
            await asyncio.sleep(0.1)

    try:
        yield until
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def _consume_until(consumer: Consumer, condition: Callable[[], bool]) -> None:
    async with _running(consumer) as until:
        await until(condition)


@pytest.fixture
async def queue() -> AsyncIterator[str]:
    """A queue of the test's own on the real RabbitMQ, deleted afterwards."""
    try:
        connection = await aio_pika.connect(AMQP_URL, timeout=3)
    except Exception as exc:
        pytest.skip(f"no RabbitMQ: {exc}")
    await connection.close()
    name = f"crossborder_test_{uuid.uuid4().hex[:8]}"
    yield name
    await _delete(name)


def _bodies(count: int) -> list[bytes]:
    """``count`` events of one new conversation, as Rasa's broker publishes them."""
    sender = f"consumer-{uuid.uuid4().hex}"
    return [json.dumps(_event(sender, timestamp=float(t))).encode() for t in range(count)]


@pytest.mark.postgres
async def test_consumer_writes_waiting_events_once_and_acks_them(
    database_url: str, queue: str
) -> None:
    bodies = _bodies(5)
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
        engine.dispose()


async def _lose_consumer_and_recover(database_url: str, queue: str, lose) -> Consumer:  # type: ignore[no-untyped-def]
    """Run a consumer, ``lose(consumer)`` its subscription, then publish: all must be written."""
    bodies = _bodies(4)
    engine = db.make_engine(database_url)
    consumer = Consumer(AMQP_URL, queue, engine, watchdog_s=0.5)
    try:
        async with _running(consumer) as until:
            await until(lambda: consumer.stats.connected)
            await lose(consumer, queue)
            await until(lambda: consumer.stats.resubscribed >= 1)
            assert consumer.stats.connected
            await _publish(queue, bodies)
            await until(lambda: consumer.stats.written == len(bodies))
    finally:
        engine.dispose()
    return consumer


@pytest.mark.postgres
async def test_a_consumer_the_broker_cancels_subscribes_again(
    database_url: str, queue: str
) -> None:
    async def delete_the_queue(_consumer: Consumer, name: str) -> None:
        # RabbitMQ cancels the consumer; the connection and the channel stay up, so
        # aio-pika's robust connection has nothing to restore.
        await _delete(name)

    await _lose_consumer_and_recover(database_url, queue, delete_the_queue)


@pytest.mark.postgres
async def test_a_connection_that_does_not_come_back_is_replaced(
    database_url: str, queue: str
) -> None:
    closed = []

    async def close_for_good(consumer: Consumer, _queue: str) -> None:
        # As a reconnection that gave up: closed, the robust connection never tries again.
        closed.append(consumer._connection)
        await consumer._connection.close()

    consumer = await _lose_consumer_and_recover(database_url, queue, close_for_good)
    assert consumer._connection is not closed[0]
