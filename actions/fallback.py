"""First stage of the two-stage fallback: offer the likely topics as buttons."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions._base import language_of
from actions.faq import FAQ_INTENT, asked_topic, topic_button
from bot import knowledge, messages
from bot.handoff.callbacks import MISUNDERSTANDINGS_BEFORE_OFFER
from bot.knowledge.fallback import hesitation, likely_intents, misunderstandings


class ActionDefaultAskAffirmation(Action):
    """Replaces Rasa's "did you mean X?" by up to three topics in the user's language.

    When the classifier hesitated between two acting intents (book or cancel...), it offers
    exactly those two (:func:`bot.knowledge.fallback.hesitation`).

    From the third misunderstood message of a conversation on, it offers a consultant
    instead (``utter_default``: a callback, or keep trying), as after two in a row.
    """

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = language_of(tracker)
        message = tracker.latest_message or {}
        ranking = message.get("intent_ranking") or []
        offerable = {
            name for name in _intent_names(domain) if messages.has_text("fr", f"intent.{name}")
        }
        topic = _selected_topic(message)
        if topic:
            offerable.add(FAQ_INTENT)
        pair = hesitation(ranking)
        if pair:
            # Two acting intents close to each other: which one, rather than the wrong one.
            buttons = [
                {"title": messages.text(language, f"intent.{name}"), "payload": f"/{name}"}
                for name in pair
            ]
            dispatcher.utter_message(response="utter_ask_affirmation", buttons=buttons)
            return []
        if misunderstandings(tracker.events) >= MISUNDERSTANDINGS_BEFORE_OFFER:
            dispatcher.utter_message(response="utter_default")
            return []
        buttons = [
            topic_button(topic, language)
            if c.intent == FAQ_INTENT and topic
            else {"title": messages.text(language, f"intent.{c.intent}"), "payload": f"/{c.intent}"}
            for c in likely_intents(ranking, offerable)
        ]
        # Rasa's two-stage fallback reads out_of_scope, not deny, as "none of these".
        none_of_these = messages.text(language, "fallback.none_of_these")
        buttons.append({"title": none_of_these, "payload": "/out_of_scope"})
        dispatcher.utter_message(response="utter_ask_affirmation", buttons=buttons)
        return []


def _selected_topic(message: dict[str, Any]) -> str | None:
    """The FAQ topic the ResponseSelector would answer, when it has a knowledge file."""
    topic = asked_topic({**message, "intent": {"name": FAQ_INTENT}})
    return topic if topic in knowledge.topics() else None


def _intent_names(domain: dict[str, Any]) -> list[str]:
    """Intent names of the domain, listed as plain names or as ``{name: properties}``."""
    names: list[str] = []
    for intent in domain.get("intents", []):
        names.extend([intent] if isinstance(intent, str) else list(intent))
    return names
