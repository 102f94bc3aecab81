"""Keeps the conversation's ``language`` slot up to date after every user message."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.language import NEUTRAL_ANSWER_SLOTS, SUPPORTED, Detection, decide, other_language

SWITCH_INTENT = "switch_language"


class ActionSetLanguage(Action):
    """Slot-mapping action of ``language``: run by Rasa's ``action_extract_slots``."""

    def name(self) -> str:
        return "action_set_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        message = tracker.latest_message or {}
        current = tracker.get_slot("language")
        detection = Detection.from_dict(message.get("language"))
        if (tracker.active_loop or {}).get("name") and tracker.get_slot("requested_slot") in (
            NEUTRAL_ANSWER_SLOTS
        ):
            detection = None  # a name or a number says nothing about the language
        metadata = message.get("metadata") or {}
        language = decide(
            current,
            detection,
            requested=_requested_language(message, current),
            page_language=metadata.get("language") if isinstance(metadata, dict) else None,
        )
        return [] if language == current else [SlotSet("language", language)]


def _requested_language(message: dict[str, Any], current: str | None) -> str | None:
    """The language asked for by ``switch_language``: the named one, else the other one."""
    if (message.get("intent") or {}).get("name") != SWITCH_INTENT:
        return None
    named = [e.get("value") for e in message.get("entities") or [] if e.get("entity") == "language"]
    valid = [value for value in named if value in SUPPORTED]
    return valid[-1] if valid else other_language(current)
