"""A circuit breaker and a small TTL cache for sources that call other services."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")
Clock = Callable[[], float]

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half-open"


class CircuitBreaker:
    """Stops calling a service after ``failures`` consecutive failures.

    Open, it refuses every call at once (the user gets the other sources' results without
    waiting for timeouts); after ``cooldown_s`` it lets one trial call through (half-open): a
    success closes it, a failure opens it for another cool-down.
    """

    def __init__(self, failures: int, cooldown_s: float, clock: Clock) -> None:
        self._threshold = failures
        self._cooldown_s = cooldown_s
        self._clock = clock
        self._failures = 0
        self._opened_at = 0.0
        self._trial_running = False
        self.state = CLOSED

    def allow(self) -> bool:
        """True when a call may go out now (a half-open breaker lets one at a time)."""
        if self.state == OPEN and self._clock() - self._opened_at >= self._cooldown_s:
            self.state = HALF_OPEN
        if self.state == HALF_OPEN:
            if self._trial_running:
                return False
            self._trial_running = True
            return True
        return self.state == CLOSED

    def succeeded(self) -> None:
        self.state, self._failures, self._trial_running = CLOSED, 0, False

    def failed(self) -> None:
        self._failures += 1
        self._trial_running = False
        if self.state == HALF_OPEN or self._failures >= self._threshold:
            self.state, self._opened_at = OPEN, self._clock()


class TtlCache(Generic[V]):
    """The answers to recent queries, each kept ``ttl_s`` seconds (the oldest go first)."""

    def __init__(self, ttl_s: float, clock: Clock, max_entries: int = 256) -> None:
        self._ttl_s = ttl_s
        self._clock = clock
        self._max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()

    def get(self, key: Hashable) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if self._clock() >= expires:
            del self._entries[key]
            return None
        return value

    def put(self, key: Hashable, value: V) -> None:
        if self._ttl_s <= 0:
            return
        self._entries[key] = (self._clock() + self._ttl_s, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
