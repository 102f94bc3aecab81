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
    message_id: str = "message-1",
    confidence: float = 0.9,
    active_loop: str | None = None,
) -> Tracker:
    """A real rasa_sdk Tracker whose latest message has this parse data.

    ``events`` are the conversation's earlier events (dicts as Rasa sends them); the latest
    message is appended to them as a user event from the REST channel.
    """
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
        "intent_ranking": intent_ranking or [{"name": intent, "confidence": confidence}],
        "metadata": metadata or {},
        "message_id": message_id,
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
    user = {"event": "user", "text": text, "parse_data": latest, "input_channel": "rest"}
    loop = {"name": active_loop} if active_loop else {}
    return Tracker(
        sender_id, slots or {}, latest, [*(events or []), user], False, None, loop, "action_listen"
    )
