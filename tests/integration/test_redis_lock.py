"""Rasa's Redis lock store across processes: tickets unique with the patch, not without."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
import uuid

import pytest
import redis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LockError, LockStore, RedisLockStore

from bot.server import redis_lock


@pytest.fixture(autouse=True)
def redis_server() -> None:
    try:
        redis.Redis(socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis: {exc}")


def _race(issue, rounds: int = 40, processes: int = 6) -> int:  # type: ignore[no-untyped-def]
    """Rounds in which two 'processes' got the same ticket for one conversation."""
    stores = [RedisLockStore(db=3, key_prefix="locktest") for _ in range(processes)]
    doubled = 0
    for _ in range(rounds):
        conversation = uuid.uuid4().hex
        barrier = threading.Barrier(processes)
        tickets: list[int] = []

        def take(
            store: RedisLockStore, barrier: threading.Barrier, tickets: list[int], key: str
        ) -> None:
            barrier.wait()
            tickets.append(issue(store, key))

        threads = [
            threading.Thread(target=take, args=(s, barrier, tickets, conversation)) for s in stores
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        doubled += len(tickets) != len(set(tickets))
        stores[0].red.delete(stores[0].key_prefix + conversation)
    return doubled


def test_control_rasa_alone_hands_out_the_same_ticket_twice() -> None:
    assert _race(LockStore.issue_ticket) > 0  # the harness does see the race


def test_patched_store_never_hands_out_a_ticket_twice() -> None:
    assert _race(redis_lock.issue_ticket) == 0


async def test_patched_lock_serves_in_order_and_cleans_up() -> None:
    store = RedisLockStore(db=3, key_prefix="locktest")
    conversation = uuid.uuid4().hex
    first = redis_lock.issue_ticket(store, conversation)
    second = redis_lock.issue_ticket(store, conversation)
    lock = store.get_lock(conversation)
    assert (first, second) == (0, 1) and lock is not None
    assert not lock.is_locked(first) and lock.is_locked(second)
    redis_lock.cleanup(store, conversation, first)
    assert not store.get_lock(conversation).is_locked(second)
    redis_lock.cleanup(store, conversation, second)
    assert store.get_lock(conversation) is None  # nobody waits: the lock is gone


def _dead_holder_then_waiter(issue) -> tuple[RedisLockStore, str, int]:  # type: ignore[no-untyped-def]
    """A process took ticket 0 and died; a second message of the conversation came 0.2 s
    later. Both tickets have a one-second lifetime; we look 1.5 s later, as a waiter does."""
    store = RedisLockStore(db=3, key_prefix="locktest")
    conversation = uuid.uuid4().hex
    issue(store, conversation, 1.0)
    time.sleep(0.2)
    waiter = issue(store, conversation, 1.0)
    time.sleep(1.3)
    redis_lock.update_lock(store, conversation)
    return store, conversation, waiter


def test_control_rasa_alone_lets_the_waiters_ticket_expire_with_the_dead_one() -> None:
    store, conversation, waiter = _dead_holder_then_waiter(LockStore.issue_ticket)
    assert store.get_lock(conversation) is None  # the waiter will never be served


def test_a_waiters_lifetime_starts_when_the_dead_holders_ends() -> None:
    store, conversation, waiter = _dead_holder_then_waiter(redis_lock.issue_ticket)
    lock = store.get_lock(conversation)
    assert lock is not None and not lock.is_locked(waiter)  # served, with time left
    redis_lock.cleanup(store, conversation, waiter)
    assert store.get_lock(conversation) is None


async def test_a_waiter_whose_ticket_expired_stops_with_a_lock_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(RedisLockStore, "update_lock", redis_lock.update_lock)
    store = RedisLockStore(db=3, key_prefix="locktest")
    conversation = uuid.uuid4().hex
    redis_lock.issue_ticket(store, conversation, 0.3)
    with pytest.raises(LockError):
        await asyncio.wait_for(store._acquire_lock(conversation, 5, 0.2), timeout=3)


# --- a process that died holding a ticket -------------------------------------------------

_HOLDER = """
import sys, time
from rasa.core.lock_store import RedisLockStore
from bot.server import redis_lock
store = RedisLockStore(db=3, key_prefix="locktest")
print(redis_lock.issue_ticket(store, sys.argv[1], 15.0), flush=True)
time.sleep(60)
"""


def _holder(conversation: str) -> subprocess.Popen[str]:
    """Another process that takes the conversation's first ticket (15 s) and keeps it."""
    process = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, conversation], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "0"
    return process


async def _served_after_s(store: RedisLockStore, conversation: str, timeout_s: float) -> float:
    ticket = redis_lock.issue_ticket(store, conversation, 15.0)
    started = time.monotonic()
    await asyncio.wait_for(store._acquire_lock(conversation, ticket, 0.2), timeout=timeout_s)
    return time.monotonic() - started


async def test_a_killed_holders_ticket_is_dropped_at_once_not_after_its_lifetime(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(RedisLockStore, "update_lock", redis_lock.update_lock)
    store = RedisLockStore(db=3, key_prefix="locktest")
    conversation = uuid.uuid4().hex
    holder = _holder(conversation)
    holder.kill()  # SIGKILL, as the fault test kills a Rasa process
    holder.wait()
    assert await _served_after_s(store, conversation, timeout_s=5) < 2  # not 15 s
    redis_lock.cleanup(store, conversation, 1)
    assert store.get_lock(conversation) is None
    assert not store.red.exists(redis_lock.holders_key(store.key_prefix, conversation))


async def test_a_live_holders_ticket_is_kept_however_long_it_works(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(RedisLockStore, "update_lock", redis_lock.update_lock)
    store = RedisLockStore(db=3, key_prefix="locktest")
    conversation = uuid.uuid4().hex
    holder = _holder(conversation)
    try:
        with pytest.raises(asyncio.TimeoutError):
            await _served_after_s(store, conversation, timeout_s=2.5)
        lock = store.get_lock(conversation)
        assert lock is not None and lock.now_serving == 0  # still the live holder's turn
    finally:
        holder.kill()
        holder.wait()
        store.red.delete(
            store.key_prefix + conversation, redis_lock.holders_key(store.key_prefix, conversation)
        )


def test_only_another_processs_recorded_tickets_can_be_dropped_as_dead() -> None:
    lock = TicketLock("c")
    lock.tickets = [Ticket(0, time.time() + 15), Ticket(1, time.time() + 30)]
    redis_lock.drop_dead(lock, {"0": "bot-rasa-gone", "1": redis_lock.IDENTITY}, alive=set())
    assert [t.number for t in lock.tickets] == [1]  # our own ticket is never dropped
    lock.tickets = [Ticket(0, time.time() + 15)]
    redis_lock.drop_dead(lock, {}, alive=set())  # no record of its holder: kept
    assert [t.number for t in lock.tickets] == [0]
