"""Rasa's Redis lock store across processes: tickets unique with the patch, not without."""

from __future__ import annotations

import threading
import uuid

import pytest
import redis
from rasa.core.lock_store import LockStore, RedisLockStore

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
