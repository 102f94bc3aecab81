"""Failed look-ups per key (a client address), with a growing delay: after ``free``
failures within ``window_s``, the key waits 1, 2, 4... seconds (at most ``max_delay_s``)
after its last failure. In one process's memory: the website runs as one process; a
restart forgets (the delays are short).

Used for booking references tried on ``/ics/`` (a reference is a key to a booking: guessing
must stay slow), and in the chat (the cancellation form), where a conversation that has
spent its ``free`` failures is refused until the oldest of them leaves the window
(:meth:`FailureThrottle.blocked_for`). The console's sign-in keeps its own, in the database
(:mod:`bot.console.users`).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field


@dataclass
class FailureThrottle:
    free: int = 5
    window_s: float = 15 * 60
    max_delay_s: float = 15 * 60
    max_keys: int = 10_000
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        return failures

    def retry_after(self, key: str, now: float | None = None) -> float:
        """Seconds ``key`` must still wait (0: it may try)."""
        moment = time.monotonic() if now is None else now
        failures = self._recent(key, moment)
        if len(failures) < self.free:
            return 0.0
        delay = min(2.0 ** (len(failures) - self.free), self.max_delay_s)
        return max(0.0, failures[-1] + delay - moment)

    def blocked_for(self, key: str, now: float | None = None, free: int | None = None) -> float:
        """Seconds until ``key`` has fewer than ``free`` failures in the window (0: it may
        try): a hard stop for a dialogue, where a delay of seconds would mean nothing.
        ``free`` defaults to the throttle's; a key shared by many people (a client address)
        may be given more."""
        allowed = self.free if free is None else free
        moment = time.monotonic() if now is None else now
        failures = self._recent(key, moment)
        if len(failures) < allowed:
            return 0.0
        return max(0.0, failures[len(failures) - allowed] + self.window_s - moment)

    def failed(self, key: str, now: float | None = None) -> None:
        """Count one failure of ``key``."""
        moment = time.monotonic() if now is None else now
        if key not in self._failures and len(self._failures) >= self.max_keys:
            # Forget the keys with no recent failure first, then the oldest.
            for stale in [k for k in self._failures if not self._recent(k, moment)]:
                del self._failures[stale]
            if len(self._failures) >= self.max_keys:
                del self._failures[next(iter(self._failures))]
        failures = self._recent(key, moment)
        failures.append(moment)
        self._failures[key] = failures
