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

A Redis failure is raised as Rasa's ``LockError``, which the channels' handler turns into the
polite "try again" (bot/server/patches.py).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError


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


def issue_ticket(self: Any, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
    """``LockStore.issue_ticket`` as one Redis transaction, with a chained lifetime."""
    key = self.key_prefix + conversation_id

    def update(pipe: Any) -> int:
        lock = _read(pipe, key, conversation_id)
        ticket = chain_ticket(lock, lock_lifetime)
        pipe.multi()
        pipe.set(key, lock.dumps())
        return ticket

    try:
        return int(self.red.transaction(update, key, value_from_callable=True))
    except Exception as exc:  # Rasa wraps every failure here the same way
        raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc


def _change(self: Any, conversation_id: str, change: Callable[[TicketLock], bool]) -> None:
    """Change a conversation's existing lock as one Redis transaction: ``change`` alters it
    and says whether it is still needed (kept) or not (deleted)."""
    key = self.key_prefix + conversation_id

    def update(pipe: Any) -> None:
        raw = pipe.get(key)
        if not raw:
            return
        lock = TicketLock.from_dict(json.loads(raw))
        needed = change(lock)
        pipe.multi()
        if needed:
            pipe.set(key, lock.dumps())
        else:
            pipe.delete(key)

    self.red.transaction(update, key)


def cleanup(self: Any, conversation_id: str, ticket_number: int) -> None:
    """``LockStore.cleanup`` (finish serving, delete the lock if nobody waits) atomically."""

    def finish(lock: TicketLock) -> bool:
        lock.remove_ticket_for(ticket_number)
        return bool(lock.is_someone_waiting())

    _change(self, conversation_id, finish)


def update_lock(self: Any, conversation_id: str) -> None:
    """``LockStore.update_lock`` (drop expired tickets) atomically; a lock left with no ticket
    is deleted, so that a waiter whose own ticket expired stops with ``LockError``."""

    def drop_expired(lock: TicketLock) -> bool:
        lock.remove_expired_tickets()
        return bool(lock.is_someone_waiting())

    _change(self, conversation_id, drop_expired)


def apply() -> None:
    """Replace the three read-modify-write methods of Rasa's ``RedisLockStore``."""
    from rasa.core.lock_store import RedisLockStore

    RedisLockStore.issue_ticket = issue_ticket  # type: ignore[method-assign]
    RedisLockStore.cleanup = cleanup  # type: ignore[method-assign]
    RedisLockStore.update_lock = update_lock  # type: ignore[method-assign]
