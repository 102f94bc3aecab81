"""Slot-mapping actions that the Rasa server runs in its own process.

``action_set_language`` fills the ``language`` slot after every user message. As a remote
action it cost every message a call to the action server: the whole conversation written as
JSON, a new HTTP connection, and a wait during which the server's event loop took up other
messages (a profile under load put that call at a tenth of the server's time). It only reads
the tracker and applies :func:`bot.language.language_after_message`, so it runs here; the
action server keeps its own version (actions/language.py) for a Rasa started without the
project's fixes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa.shared.core.events import Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.language.policy import UNSURE_SLOT, slots_after_message

LANGUAGE_SLOT = "language"


def set_language(tracker: DialogueStateTracker) -> list[Event]:
    """``action_set_language`` on Rasa's own tracker: events of the language slots that change."""
    latest = tracker.latest_message
    # What the action server would receive as ``latest_message``.
    message: dict[str, Any] = {**latest.parse_data, "entities": latest.entities} if latest else {}
    slots = {name: tracker.get_slot(name) for name in (LANGUAGE_SLOT, UNSURE_SLOT)}
    asked = tracker.get_slot("requested_slot") if tracker.active_loop_name else None
    changes = slots_after_message(message, slots, asked)
    return [SlotSet(name, value) for name, value in changes.items()]


SLOT_ACTIONS: dict[str, Callable[[DialogueStateTracker], list[Event]]] = {
    "action_set_language": set_language,
}
