"""The event consumer process: RabbitMQ queue -> console tables, with manual acks.

Messages are read with a prefetch window, written in batches (one transaction each, through
:func:`bot.events.write_batch`), and acknowledged only once that transaction has committed.
When the database fails, the batch is handed back to RabbitMQ (``nack`` with requeue) and
the consumer waits before trying again; when RabbitMQ goes away, aio-pika's robust
connection reconnects and the consumer goes on. A tiny HTTP server answers ``/health``
(liveness, with counters) and ``/ready`` (connected to RabbitMQ and last write succeeded).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from bot.events import BrokerEvent, Projection, no_projection, parse, write_batch
from bot.storage.db import transaction

log = logging.getLogger(__name__)

# The fanout exchange Rasa's PikaEventBroker publishes to (``exchange_name`` in the
# endpoints; production mode sets it from BOT_EVENTS_EXCHANGE).
DEFAULT_EXCHANGE = "crossborder-events"
BATCH_SIZE = 200
BATCH_WAIT_S = 0.2
RETRY_WAIT_S = 2.0
SETTLE_TIMEOUT_S = 5.0
# How often RabbitMQ is asked whether the queue still has a consumer (see ``_watch``).
WATCHDOG_S = 10.0


@dataclass
class Stats:
    """What ``/health`` reports."""

    connected: bool = False
    received: int = 0
    written: int = 0
    duplicates: int = 0
    rejected: int = 0
    resubscribed: int = 0
    last_write_at: float = 0.0
    last_error: str = ""
    healthy_database: bool = True

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Consumer:
    """Reads one durable queue and writes each event once."""

    def __init__(
        self,
        amqp_url: str,
        queue: str,
        engine: Engine,
        project: Projection = no_projection,
        batch_size: int = BATCH_SIZE,
        exchange: str = DEFAULT_EXCHANGE,
        watchdog_s: float = WATCHDOG_S,
    ) -> None:
        self.amqp_url = amqp_url
        self.queue_name = queue
        self.exchange_name = exchange
        self.engine = engine
        self.project = project
        self.batch_size = batch_size
        self.watchdog_s = watchdog_s
        self.stats = Stats()
        # Each message is settled on the channel it came on, and only while that channel is
        # open: a message received before a reconnection cannot be acknowledged after it
        # (its delivery tag belonged to the old channel); the broker redelivers it anyway.
        self._inbox: asyncio.Queue[Any] = asyncio.Queue()
        # A strong reference: the robust connection keeps its channels in a WeakSet, and a
        # channel collected meanwhile would not be restored after a reconnection.
        self._channel: Any = None
        self._connection: Any = None

    async def _connect(self, stop: asyncio.Event) -> Any:
        import aio_pika

        while not stop.is_set():
            try:
                return await aio_pika.connect_robust(self.amqp_url, timeout=5)
            except Exception as exc:  # refused, DNS, auth...: wait and try again
                self.stats.last_error = f"rabbitmq: {type(exc).__name__}"
                log.warning("RabbitMQ unreachable (%s); retrying in %.0f s", exc, RETRY_WAIT_S)
                await asyncio.sleep(RETRY_WAIT_S)
        return None

    async def _subscribe(self, connection: Any) -> None:
        import aio_pika

        channel = await connection.channel()
        await channel.set_qos(prefetch_count=self.batch_size * 2)
        exchange = await channel.declare_exchange(self.exchange_name, aio_pika.ExchangeType.FANOUT)
        # The same declaration as Rasa's, so that either may start first.
        queue = await channel.declare_queue(self.queue_name, durable=True)
        await queue.bind(exchange, "")
        channel.close_callbacks.add(self._on_connection_lost)
        await queue.consume(self._receive, no_ack=False)
        previous, self._channel = self._channel, channel
        if previous is not None:  # a watchdog's resubscription: the old one has no consumer
            await self._retire(previous, "channel")

    async def _receive(self, message: Any) -> None:
        await self._inbox.put(message)

    def _on_connection_lost(self, *_: Any) -> None:
        self.stats.connected = False
        log.warning("RabbitMQ connection lost; reconnecting")

    def _on_reconnected(self, *_: Any) -> None:
        self.stats.connected = True
        log.info("RabbitMQ connection back")

    async def _next_batch(self) -> list[Any]:
        batch = [await self._inbox.get()]
        deadline = time.monotonic() + BATCH_WAIT_S
        while len(batch) < self.batch_size:
            timeout = deadline - time.monotonic()
            if timeout <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(self._inbox.get(), timeout))
            except asyncio.TimeoutError:
                break
        return batch

    def _write(self, events: list[BrokerEvent]) -> int:
        with transaction(self.engine) as connection:
            return write_batch(connection, events, self.project)

    async def _handle(self, received: list[Any]) -> None:
        events, readable = [], []
        for message in _still_open(received):
            event = parse(message.body)
            if event is None:
                self.stats.rejected += 1
                log.warning("a message that is not a Rasa event was dropped")
                await _settle(message.reject(requeue=False))
            else:
                events.append(event)
                readable.append(message)
        if not events:
            return
        self.stats.received += len(events)
        try:
            fresh = await asyncio.to_thread(self._write, events)
        except Exception as exc:  # database down or failing: hand the batch back
            self.stats.healthy_database = False
            self.stats.last_error = f"database: {type(exc).__name__}"
            log.warning("writing %d events failed (%s); retrying", len(events), exc)
            for message in _still_open(readable):
                await _settle(message.nack(requeue=True))
            await asyncio.sleep(RETRY_WAIT_S)
            return
        self.stats.healthy_database = True
        self.stats.written += fresh
        self.stats.duplicates += len(events) - fresh
        self.stats.last_write_at = time.time()
        # Only now, the write has committed. A channel that went away meanwhile: RabbitMQ
        # redelivers its messages, and the dedupe key skips them.
        for message in _still_open(readable):
            await _settle(message.ack())

    async def _consumers_on_queue(self) -> int:
        """How many consumers RabbitMQ counts on the queue (0 when the queue is gone).

        On a connection of its own, not robust: a passive declaration of a missing queue
        closes its channel, which a robust channel would reopen.
        """
        import aio_pika
        import aiormq

        connection = await aio_pika.connect(self.amqp_url, timeout=5)
        try:
            channel = await connection.channel()
            queue = await channel.declare_queue(self.queue_name, passive=True)
            return int(queue.declaration_result.consumer_count or 0)
        except aiormq.exceptions.ChannelNotFoundEntity:
            return 0
        finally:
            await connection.close()

    async def _open(self, stop: asyncio.Event) -> bool:
        """Connect and subscribe; False when ``stop`` was set before RabbitMQ answered."""
        connection = await self._connect(stop)
        if connection is None:
            return False
        connection.close_callbacks.add(self._on_connection_lost)
        connection.reconnect_callbacks.add(self._on_reconnected)
        previous, self._connection = self._connection, connection
        await self._subscribe(connection)
        self.stats.connected = True
        if previous is not None:  # a watchdog's new connection: the old one never came back
            await self._retire(previous, "connection")
        return True

    async def _retire(self, replaced: Any, what: str) -> None:
        """Close a replaced channel or connection, without reporting it as a lost one."""
        replaced.close_callbacks.discard(self._on_connection_lost)
        try:
            await asyncio.wait_for(replaced.close(), SETTLE_TIMEOUT_S)
        except Exception as exc:  # already gone (with its connection): nothing to close
            log.info("closing the previous %s failed (%s)", what, type(exc).__name__)

    async def _watch(self, stop: asyncio.Event) -> None:
        """Subscribe again when RabbitMQ counts no consumer on the queue.

        aio-pika's robust connection restores the subscription after a reconnection, but a
        consumer the broker cancels (the queue deleted or restarted) is not restored, and a
        reconnection that fails in an unexpected way is not tried again; nothing else would
        notice: the events would wait in the queue (or be dropped by the fanout exchange
        while the queue is missing) until the consumer restarts. Connected, a new channel
        subscribes; disconnected for two checks in a row, a new connection replaces the old.
        """
        misses = 0
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), self.watchdog_s)
                return
            except asyncio.TimeoutError:
                pass
            try:
                if await self._consumers_on_queue() > 0:
                    misses = 0
                    continue
                misses += 1
                if self._connection.connected.is_set():
                    log.warning("no consumer on %s; subscribing again", self.queue_name)
                    await self._subscribe(self._connection)
                    self.stats.connected = True
                elif misses >= 2:
                    log.warning("RabbitMQ is back but the connection is not; connecting anew")
                    await self._open(stop)
                else:
                    continue  # the robust connection may be restoring the channels right now
                self.stats.resubscribed += 1
                misses = 0
            except Exception as exc:  # RabbitMQ unreachable, or gone meanwhile: next round
                log.info("queue check failed (%s); trying again later", type(exc).__name__)

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set."""
        if not await self._open(stop):
            return
        log.info("consuming queue %s", self.queue_name)
        waiter = asyncio.ensure_future(stop.wait())
        watchdog = asyncio.ensure_future(self._watch(stop))
        try:
            while not stop.is_set():
                batch_task = asyncio.ensure_future(self._next_batch())
                await asyncio.wait({batch_task, waiter}, return_when=asyncio.FIRST_COMPLETED)
                if not batch_task.done():
                    batch_task.cancel()
                    break
                await self._handle(batch_task.result())
        finally:
            waiter.cancel()
            watchdog.cancel()
            await self._connection.close()


def _still_open(messages: list[Any]) -> list[Any]:
    """The messages whose channel is open: they can still be acknowledged or handed back."""
    return [message for message in messages if not message.channel.is_closed]


async def _settle(acknowledgement: Any) -> None:
    """Ack, nack or reject, ignoring a channel that closed meanwhile (redelivery follows).

    With a timeout: on a channel that closes under it, aio-pika's acknowledgement can wait
    forever, and the consumer with it (seen when RabbitMQ stopped in the middle of a batch).
    """
    try:
        await asyncio.wait_for(acknowledgement, SETTLE_TIMEOUT_S)
    except Exception as exc:  # the broker redelivers what was not acknowledged
        log.info("acknowledgement lost (%s); the message will come again", type(exc).__name__)


async def serve_health(consumer: Consumer, host: str, port: int) -> asyncio.AbstractServer:
    """A tiny HTTP server: ``GET /health`` (alive, counters), ``GET /ready`` (consuming).

    Plain asyncio rather than aiohttp's server, which stays in bot/web; the launcher and
    the tests only ever send one ``GET`` per connection.
    """

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = (await asyncio.wait_for(reader.readline(), 5)).decode("latin-1")
        except (asyncio.TimeoutError, ConnectionError):
            writer.close()
            return
        path = request_line.split(" ")[1] if request_line.count(" ") >= 2 else "/"
        stats = consumer.stats
        ok = stats.connected and stats.healthy_database
        if path.startswith("/health"):
            status, body = 200, {"status": "ok", **stats.as_dict()}
        elif path.startswith("/ready"):
            status, body = (200 if ok else 503), {"status": "ready" if ok else "not ready"}
        else:
            status, body = 404, {"status": "not found"}
        payload = json.dumps(body).encode()
        reason = {200: "OK", 503: "Service Unavailable", 404: "Not Found"}[status]
        writer.write(
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode()
            + payload
        )
        try:
            await writer.drain()
        finally:
            writer.close()

    return await asyncio.start_server(answer, host, port)
