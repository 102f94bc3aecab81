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
    active_loop: str | None = None,
    message_id: str | None = None,
    events: list[dict[str, Any]] | None = None,
    history: list[dict[str, Any]] | None = None,
    confidence: float = 0.9,
) -> Tracker:
    """A real rasa_sdk Tracker whose latest message has this parse data.

    ``active_loop`` names the active form; ``history`` are the conversation's earlier events
    (dicts as Rasa sends them), ``events`` the events after the latest user message (the
    slots a form's validation action sees as just extracted).
    """
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
        "intent_ranking": intent_ranking or [{"name": intent, "confidence": confidence}],
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
    if message_id is not None:
        latest["message_id"] = message_id
    user = {
        "event": "user",
        "text": text,
        "parse_data": latest,
        "message_id": message_id,
        "input_channel": "rest",
    }
    loop = {"name": active_loop} if active_loop else {}
    return Tracker(
        sender_id,
        slots or {},
        latest,
        [*(history or []), user, *(events or [])],
        False,
        None,
        loop,
        "action_listen",
    )
