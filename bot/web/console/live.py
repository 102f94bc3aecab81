"""``GET /console/live``: the console's server-sent events, one stream per open tab.

One task per web process (:class:`LiveHub`) reads what changed (bot.console.live_feed) every
``POLL_S`` seconds and hands each change to every open stream through an in-memory queue:
fifty consoles cost one set of queries, not fifty (no polling storm). A stream is a GET under
``/console/``, so the authentication middleware admits only a signed-in consultant; it ends
after ``STREAM_S`` and the browser's EventSource reconnects, signed-in again (a consultant
signed out or deactivated gets no more events), with ``Last-Event-ID``: the hub keeps the
last ``BUFFER`` changes and replays those the tab missed, or says ``resync`` when it cannot
(another process start, or too long away) so that the page reloads its live parts.

Events (``event:`` name, ``data:`` JSON): ``message`` (``conversation``, ``author``:
candidate, assistant or consultant, ``at``, ``held_by``), ``request`` (a request for a
person: ``conversation``, ``live``, ``status``, ``held_by``, ``since``), ``takeover``
(``conversation``, ``held_by``: the holder or null), ``queue`` (``waiting``: the live requests
nobody took, longest wait first, each ``conversation`` and ``since``; also first on every
stream), ``idle`` (a takeover of yours was handed back to the assistant: sent to its holder
only), ``resync``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.console import live_feed
from bot.console.idle_takeovers import IdleHandBack
from bot.console.projection import refresh_for
from bot.events.projection import broker_feeds_console
from bot.storage import db, rasa_events
from bot.web.console.keys import USER
from bot.web.keys import ENGINE

log = logging.getLogger(__name__)

POLL_S = 0.25  # while a console is open
IDLE_POLL_S = 1.0  # while none is: the buffer still follows, for tabs reconnecting
HEARTBEAT_S = 15.0
STREAM_S = 300.0
BUFFER = 2000
QUEUE = 1000  # a tab further behind than this is cut off; it reconnects and catches up
RETRY_MS = 2000


@dataclass(frozen=True)
class Published:
    seq: int
    kind: str
    data: dict[str, Any]
    # Only this consultant's streams get it (None: everybody's).
    audience: str | None = None


@dataclass(eq=False)
class Subscriber:
    consultant: str
    queue: asyncio.Queue[Published | None] = field(
        default_factory=lambda: asyncio.Queue(maxsize=QUEUE)
    )

    def close(self) -> None:
        """End the stream: its reader takes ``None`` next (older items make room)."""
        while True:
            try:
                self.queue.put_nowait(None)
                return
            except asyncio.QueueFull:
                self.queue.get_nowait()


class LiveHub:
    """The changes of this process's database, fanned out to the open streams."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        # Event ids are "<boot>.<seq>": an id of another process start means "resync".
        self.boot = secrets.token_hex(4)
        self.seq = 0
        self.buffer: deque[Published] = deque(maxlen=BUFFER)
        self.subscribers: set[Subscriber] = set()
        self.cursor: live_feed.Cursor | None = None
        self.woken = asyncio.Event()
        # Production mode: the event consumer keeps the projection, this process must not.
        self.broker_feeds = broker_feeds_console()
        # Who waits for a person now (``queue`` events; sent to each new stream first).
        self.waiting: list[dict[str, Any]] = []

    def publish(self, kind: str, data: dict[str, Any], audience: str | None = None) -> None:
        self.seq += 1
        item = Published(self.seq, kind, data, audience)
        self.buffer.append(item)
        for subscriber in list(self.subscribers):
            if audience is not None and subscriber.consultant != audience:
                continue
            try:
                subscriber.queue.put_nowait(item)
            except asyncio.QueueFull:
                log.info("live stream too far behind: cut off (it reconnects)")
                self.subscribers.discard(subscriber)
                subscriber.close()

    def idle_handed_back(self, handed: list[IdleHandBack]) -> None:
        for item in handed:
            self.publish("idle", {"conversation": item.number}, audience=item.consultant)

    def event_id(self, item: Published) -> str:
        return f"{self.boot}.{item.seq}"

    def missed(self, last_event_id: str | None) -> list[Published] | None:
        """What a tab reconnecting with ``last_event_id`` missed; None when unknown (resync)."""
        if not last_event_id:
            return []
        boot, _, seq = last_event_id.partition(".")
        if boot != self.boot or not seq.isdigit():
            return None
        last = int(seq)
        if last < self.seq and (not self.buffer or self.buffer[0].seq > last + 1):
            return None
        return [item for item in self.buffer if item.seq > last]

    def _read(self) -> tuple[list[live_feed.Change], list[dict[str, Any]] | None]:
        """The changes, and the waiting queue when it may have changed (else None)."""
        if not rasa_events.exists(self.engine):
            return [], None
        with db.reading(self.engine) as conn:
            if self.cursor is None:
                self.cursor = live_feed.start(conn)
                return [], live_feed.waiting(conn)
            changes = live_feed.read_changes(conn, self.cursor)
        if not changes:
            return [], None
        if not self.broker_feeds:  # so that a new conversation has its number
            refresh_for(self.engine, self.settings)
        with db.reading(self.engine) as conn:
            numbered = live_feed.numbered(conn, changes)
            requests = any(change.kind == "request" for change in changes)
            return numbered, live_feed.waiting(conn) if requests else None

    async def poll_once(self) -> int:
        """Read and publish the changes (and the queue after a request's); how many."""
        changes, queue = await asyncio.to_thread(self._read)
        for change in changes:
            self.publish(change.kind, change.data)
        if queue is not None:
            self.waiting = queue
            self.publish("queue", {"waiting": queue})
        return len(changes)

    async def run(self) -> None:
        while True:
            try:
                await self.poll_once()
            except Exception:  # a database hiccup must not end the console's live updates
                log.exception("console live feed failed; retrying")
            pause = POLL_S if self.subscribers else IDLE_POLL_S
            try:
                await asyncio.wait_for(self.woken.wait(), pause)
            except asyncio.TimeoutError:
                pass
            self.woken.clear()


HUB = web.AppKey("console_live_hub", LiveHub)


def background(settings: Settings):  # type: ignore[no-untyped-def]
    """The hub's task for the app's life (an ``app.cleanup_ctx`` entry)."""

    async def lifetime(app: web.Application) -> AsyncIterator[None]:
        hub = LiveHub(app[ENGINE], settings)
        app[HUB] = hub
        task = asyncio.create_task(hub.run())
        yield
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass

    return lifetime


async def end_streams(app: web.Application) -> None:
    """On shutdown, before aiohttp waits for the handlers: the open streams end (their
    browsers reconnect to the next process), instead of holding the stop for a minute."""
    hub = app.get(HUB)
    if hub is None:
        return
    for subscriber in list(hub.subscribers):
        hub.subscribers.discard(subscriber)
        subscriber.close()


def _frame(hub: LiveHub, item: Published) -> bytes:
    data = json.dumps(item.data, separators=(",", ":"))
    return f"id: {hub.event_id(item)}\nevent: {item.kind}\ndata: {data}\n\n".encode()


async def stream(request: web.Request) -> web.StreamResponse:
    """The tab's stream of changes (``text/event-stream``)."""
    hub = request.app[HUB]
    consultant = request[USER].email
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",  # a reverse proxy must not hold events back
        }
    )
    subscriber = Subscriber(consultant)
    hub.subscribers.add(subscriber)
    hub.woken.set()  # poll at the fast pace from now on
    try:
        await response.prepare(request)
        await response.write(f"retry: {RETRY_MS}\n\n".encode())
        missed = hub.missed(request.headers.get("Last-Event-ID"))
        snapshot = json.dumps({"waiting": hub.waiting}, separators=(",", ":"))
        await response.write(f"event: queue\ndata: {snapshot}\n\n".encode())
        if missed is None:
            await response.write(b"event: resync\ndata: {}\n\n")
        for item in missed or ():
            if item.audience in (None, consultant):
                await response.write(_frame(hub, item))
        await _follow(hub, subscriber, response)
    except ConnectionResetError:  # the tab closed
        pass
    finally:
        hub.subscribers.discard(subscriber)
    return response


async def _follow(hub: LiveHub, subscriber: Subscriber, response: web.StreamResponse) -> None:
    loop = asyncio.get_running_loop()
    ends = loop.time() + STREAM_S
    while loop.time() < ends:
        try:
            item = await asyncio.wait_for(subscriber.queue.get(), HEARTBEAT_S)
        except asyncio.TimeoutError:
            await response.write(b": keep-alive\n\n")
            continue
        if item is None:
            return
        await response.write(_frame(hub, item))
