"""Keeps the conversation's ``language`` slot up to date after every user message.

The Rasa server started by ``make run`` runs this slot mapping in its own process
(bot/server/local_actions.py, same rule); this action server version serves a Rasa started
without the project's fixes, such as ``make shell``'s.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.language.policy import UNSURE_SLOT, slots_after_message


class ActionSetLanguage(Action):
    """Slot-mapping action of ``language``: run by Rasa's ``action_extract_slots``."""

    def name(self) -> str:
        return "action_set_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        slots = {name: tracker.get_slot(name) for name in ("language", UNSURE_SLOT)}
        asked = (
            tracker.get_slot("requested_slot") if (tracker.active_loop or {}).get("name") else None
        )
        changes = slots_after_message(tracker.latest_message or {}, slots, asked)
        return [SlotSet(name, value) for name, value in changes.items()]
