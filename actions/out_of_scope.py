"""``action_out_of_scope``: a question outside the twenty topics gets an honest answer.

The subject (a visa, housing, a salary negotiation: bot.knowledge.out_of_scope) says where to
ask, from the catalog; any other question gets ``utter_out_of_scope`` (a consultant can say
which service to ask). Never the nearest topic's answer.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions._base import language_of, latest_text
from bot import messages
from bot.knowledge.out_of_scope import subject_of


class ActionOutOfScope(Action):
    """Says "I can't answer that" and where to ask, in the candidate's language."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        subject = subject_of(latest_text(tracker))
        if subject is None:
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        language = language_of(tracker)
        button = {"title": messages.text(language, "intent.ask_human"), "payload": "/ask_human"}
        dispatcher.utter_message(
            text=messages.text(language, f"out_of_scope.{subject}"),
            buttons=[button],
            language=language,
        )
        return []
