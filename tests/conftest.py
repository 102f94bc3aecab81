"""Shared fixtures and builders."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def make_tracker(
    text: str = "",
    intent: str = "greet",
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    language: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    intent_ranking: list[dict[str, Any]] | None = None,
    sender_id: str = "test-user",
    faq_topic: str | None = None,
    events: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
) -> Tracker:
    """A real rasa_sdk Tracker whose latest message has this parse data.

    ``events`` end the tracker's history (a form validation reads the ``SlotSet`` events at the
    end as the slots to validate); ``active_loop`` names the active form.
    """
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "intent_ranking": intent_ranking or [{"name": intent, "confidence": 0.9}],
        "metadata": metadata or {},
    }
    if language is not None:
        latest["language"] = language
    if faq_topic is not None:
        # What Rasa's ResponseSelector adds for a retrieval intent.
        key = f"faq/{faq_topic}"
        latest["response_selector"] = {
            "all_retrieval_intents": ["faq"],
            "faq": {"response": {"intent_response_key": key, "confidence": 0.9}},
        }
    loop = {"name": active_loop} if active_loop else {}
    history = list(events or [])
    return Tracker(sender_id, slots or {}, latest, history, False, None, loop, "action_listen")
