"""Buttons on channels without buttons, and redelivered updates: small in-process memories.

Both memories are bounded (the oldest entries go first) and live in one process; with
several Rasa processes they would move to a shared store (Redis), keyed the same way.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


def numbered(text: str, buttons: Sequence[dict[str, Any]]) -> str:
    """``text`` followed by the buttons as "1. title" lines, for a reply by number."""
    lines = [f"{index}. {button.get('title', '')}" for index, button in enumerate(buttons, 1)]
    return "\n".join([text.rstrip(), "", *lines]) if text.strip() else "\n".join(lines)


def choice_number(reply: str) -> int | None:
    """The number a reply such as "2", " 2 " or "2." names, else ``None``."""
    match = _NUMBER.match(reply or "")
    return int(match.group(1)) if match else None


class RecentIds:
    """Which update ids were already seen, among the last ``size`` ones."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, update_id: str) -> bool:
        """Record ``update_id``; False when it was already recorded (a redelivery)."""
        with self._lock:
            if update_id in self._ids:
                self._ids.move_to_end(update_id)
                return False
            self._ids[update_id] = None
            if len(self._ids) > self._size:
                self._ids.popitem(last=False)
            return True


class ChoiceMemory:
    """The buttons of the last bot message sent to each sender, to read "2" as a click."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._last: OrderedDict[str, list[str]] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, sender: str, buttons: Sequence[dict[str, Any]]) -> None:
        """The last bot message to ``sender`` offered these buttons (none: forget)."""
        with self._lock:
            self._last.pop(sender, None)
            payloads = [str(b.get("payload") or b.get("title") or "") for b in buttons]
            if payloads:
                self._last[sender] = payloads
                if len(self._last) > self._size:
                    self._last.popitem(last=False)

    def resolve(self, sender: str, reply: str) -> str:
        """The payload of the button a numeric reply names, else the reply unchanged."""
        number = choice_number(reply)
        with self._lock:
            payloads = self._last.get(sender) or []
        if number is not None and 1 <= number <= len(payloads):
            return payloads[number - 1]
        return reply
