"""Rasa's Redis lock store across processes: tickets unique with the patch, not without."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid

import pytest
import redis
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
