"""Rasa's Redis lock store with atomic ticket updates (WATCH/MULTI), across processes.

Rasa 3.6's ``LockStore.issue_ticket`` reads the conversation's lock from Redis, adds a
ticket and writes it back; ``cleanup`` reads, removes the ticket, reads again and deletes.
Within one process nothing runs in between (the Redis client is synchronous), but two Rasa
processes receiving two messages of one conversation at the same moment can both read "no
lock", both write a lock holding ticket 0, and both process the conversation at once (the
second save then mixes two turns). Here each read-modify-write is a Redis transaction on
the lock's key: ``WATCH``, read, ``MULTI``/``EXEC``, retried if another process changed the
key meanwhile, so ticket numbers stay unique and in order across processes.

A waiting ticket's lifetime starts when the ticket before it expires, not when it is issued.
Rasa starts every ticket's clock at issue: when a process dies holding a conversation's
ticket, a message of that conversation that arrived a moment later waits for the dead ticket
to expire, and its own ticket, issued less than a second after with the same lifetime, has
expired too by the time the waiter next looks (it looks once a second). The waiter then
finds no ticket of its own, spins, and the candidate gets an error instead of an answer: the
last failures of the production fault test (a Rasa process killed under load). With chained
lifetimes the waiter always has a full lifetime once it is served, and a lock left with no
ticket is deleted, so a waiter whose ticket did expire stops at once with ``LockError``
(answered politely) rather than spinning.

A ticket whose process died is dropped as soon as a waiter looks, not when it expires. Each
process keeps one Redis connection named after itself (:data:`IDENTITY`) and records, beside
the lock, which process holds each ticket. When a Rasa process is killed, the kernel closes
its connections and Redis forgets the name at once; a waiter (it looks once a second) finds
the holder's name missing from ``CLIENT LIST`` and drops its tickets. Without this, a message
that HAProxy sent again to a surviving process (its first process died holding it) waited
the whole lock lifetime (15 s) for the dead ticket: most of the messages answered in over
3 s while a process was replaced. A process that is alive keeps its connection however busy
it is, so a slow holder is never mistaken for a dead one; where ``CLIENT LIST`` is not
allowed (some managed Redis), only the lifetime applies, as before.

A Redis failure is raised as Rasa's ``LockError``, which the channels' handler turns into the
polite "try again" (bot/server/patches.py).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError

log = logging.getLogger(__name__)

# This process's name on its presence connection (module docstring).
IDENTITY = f"bot-rasa-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
# How long the record of a conversation's ticket holders outlives its last ticket.
HOLDERS_GRACE_S = 60


def _read(pipe: Any, key: str, conversation_id: str) -> TicketLock:
    raw = pipe.get(key)
    return TicketLock.from_dict(json.loads(raw)) if raw else TicketLock(conversation_id)


def chain_ticket(lock: TicketLock, lifetime: float) -> int:
    """Add a ticket whose lifetime starts when the last waiting one's ends (module docstring)."""
    lock.remove_expired_tickets()
    starts = max([time.time(), *(ticket.expires for ticket in lock.tickets)])
    number = int(lock.last_issued) + 1
    lock.tickets.append(Ticket(number, starts + lifetime))
    return number


def holders_key(key_prefix: str, conversation_id: str) -> str:
    """Where the holders of a conversation's tickets are recorded, beside its lock
    (``<prefix>:lock:<id>`` → ``<prefix>:lock-holders:<id>``)."""
    return f"{key_prefix.removesuffix('lock:')}lock-holders:{conversation_id}"


def _present(self: Any) -> None:
    """Open (or check) this process's named connection before it holds a ticket."""
    client = getattr(self, "_bot_presence", None)
    if client is None:
        import redis

        kwargs = dict(self.red.connection_pool.connection_kwargs)
        kwargs["client_name"] = IDENTITY
        pool = redis.ConnectionPool(max_connections=1, **kwargs)
        client = self._bot_presence = redis.Redis(connection_pool=pool)
    client.ping()


def _alive(self: Any) -> set[str] | None:
    """The names of the processes connected to Redis; None where Redis does not say."""
    try:
        return {str(c.get("name", "")) for c in self.red.client_list()}
    except Exception as exc:  # an ACL without CLIENT LIST: the lifetime alone applies
        log.debug("CLIENT LIST refused (%s): dead ticket holders wait for the lifetime", exc)
        return None


def issue_ticket(self: Any, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
    """``LockStore.issue_ticket`` as one Redis transaction, with a chained lifetime, the
    ticket recorded as held by this process."""
    key = self.key_prefix + conversation_id
    holders = holders_key(self.key_prefix, conversation_id)

    def update(pipe: Any) -> int:
        lock = _read(pipe, key, conversation_id)
        ticket = chain_ticket(lock, lock_lifetime)
        last_expiry = max(t.expires for t in lock.tickets)
        pipe.multi()
        pipe.set(key, lock.dumps())
        pipe.hset(holders, str(ticket), IDENTITY)
        pipe.expire(holders, int(last_expiry - time.time() + HOLDERS_GRACE_S))
        return ticket

    try:
        _present(self)
        return int(self.red.transaction(update, key, value_from_callable=True))
    except Exception as exc:  # Rasa wraps every failure here the same way
        raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc


Change = Callable[[TicketLock, dict[str, str]], bool]


def _change(self: Any, conversation_id: str, change: Change) -> None:
    """Change a conversation's existing lock as one Redis transaction: ``change`` alters it
    (given who holds which ticket) and says whether it is still needed (kept) or not
    (deleted, with its holders)."""
    key = self.key_prefix + conversation_id
    holders = holders_key(self.key_prefix, conversation_id)

    def update(pipe: Any) -> None:
        raw = pipe.get(key)
        if not raw:
            return
        lock = TicketLock.from_dict(json.loads(raw))
        held_by = {k.decode(): v.decode() for k, v in pipe.hgetall(holders).items()}
        needed = change(lock, held_by)
        pipe.multi()
        if needed:
            pipe.set(key, lock.dumps())
            gone = set(held_by) - {str(t.number) for t in lock.tickets}
            if gone:
                pipe.hdel(holders, *gone)
        else:
            pipe.delete(key, holders)

    self.red.transaction(update, key, holders)


def cleanup(self: Any, conversation_id: str, ticket_number: int) -> None:
    """``LockStore.cleanup`` (finish serving, delete the lock if nobody waits) atomically."""

    def finish(lock: TicketLock, _held_by: dict[str, str]) -> bool:
        lock.remove_ticket_for(ticket_number)
        return bool(lock.is_someone_waiting())

    _change(self, conversation_id, finish)


def drop_dead(lock: TicketLock, held_by: dict[str, str], alive: set[str]) -> None:
    """Remove the tickets held by a process that is no longer connected to Redis."""
    lock.tickets = [
        t for t in lock.tickets if held_by.get(str(t.number), IDENTITY) in alive | {IDENTITY}
    ]


def update_lock(self: Any, conversation_id: str) -> None:
    """``LockStore.update_lock`` (drop expired tickets) atomically, and the tickets of dead
    processes; a lock left with no ticket is deleted, so that a waiter whose own ticket
    expired stops with ``LockError``."""
    alive = _alive(self)

    def drop_expired(lock: TicketLock, held_by: dict[str, str]) -> bool:
        lock.remove_expired_tickets()
        if alive is not None:
            drop_dead(lock, held_by, alive)
        return bool(lock.is_someone_waiting())

    _change(self, conversation_id, drop_expired)


def apply() -> None:
    """Replace the three read-modify-write methods of Rasa's ``RedisLockStore``."""
    from rasa.core.lock_store import RedisLockStore

    RedisLockStore.issue_ticket = issue_ticket  # type: ignore[method-assign]
    RedisLockStore.cleanup = cleanup  # type: ignore[method-assign]
    RedisLockStore.update_lock = update_lock  # type: ignore[method-assign]
