"""Tracker events shaped as Rasa 3.6 stores them, for the console's tests and benchmark.

``user(...)``, ``bot(...)``, ``action(...)``, ``slot(...)`` build the ``as_dict()`` of
Rasa's events; ``store_events(connection, sender, events)`` writes them into the ``events``
table the way ``SQLTrackerStore.save`` does (type, intent and action columns, JSON data).
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from bot.storage import rasa_events

_clock = itertools.count()


def _ts(ts: float | None) -> float:
    # Distinct, increasing timestamps when none is given (events of one save share none).
    return ts if ts is not None else time.time() - 3600 + next(_clock) * 0.001


def user(
    text: str,
    intent: str = "greet",
    confidence: float = 0.95,
    language: str | None = "fr",
    language_confidence: float = 0.97,
    entities: Iterable[dict[str, Any]] = (),
    channel: str = "socketio",
    ts: float | None = None,
    faq: str | None = None,
    ranking: list[dict[str, Any]] | None = None,
    message_id: str | None = None,
) -> dict[str, Any]:
    parse: dict[str, Any] = {
        "intent": {"name": intent, "confidence": confidence},
        "entities": list(entities),
        "text": text,
        "message_id": message_id or uuid.uuid4().hex,
        "metadata": {},
        "intent_ranking": ranking or [{"name": intent, "confidence": confidence}],
    }
    if language is not None:
        parse["language"] = {"name": language, "confidence": language_confidence, "words": 3}
    if faq is not None:
        parse["response_selector"] = {
            "all_retrieval_intents": ["faq"],
            "faq": {
                "response": {"intent_response_key": f"faq/{faq}", "confidence": 0.9},
                "ranking": [],
            },
        }
    return {
        "event": "user",
        "timestamp": _ts(ts),
        "metadata": {},
        "text": text,
        "parse_data": parse,
        "input_channel": channel,
        "message_id": parse["message_id"],
    }


def bot(
    text: str, utter: str | None = None, buttons: list[str] | None = None, ts: float | None = None
) -> dict[str, Any]:
    return {
        "event": "bot",
        "timestamp": _ts(ts),
        "metadata": {"utter_action": utter} if utter else {},
        "text": text,
        "data": {
            "elements": None,
            "quick_replies": None,
            "buttons": [{"title": b, "payload": f"/{b}"} for b in buttons] if buttons else None,
            "attachment": None,
            "image": None,
            "custom": None,
        },
    }


def action(name: str, ts: float | None = None, confidence: float = 1.0) -> dict[str, Any]:
    return {
        "event": "action",
        "timestamp": _ts(ts),
        "metadata": {},
        "name": name,
        "policy": "RulePolicy",
        "confidence": confidence,
        "action_text": None,
        "hide_rule_turn": False,
    }


def slot(name: str, value: Any, ts: float | None = None) -> dict[str, Any]:
    return {"event": "slot", "timestamp": _ts(ts), "metadata": {}, "name": name, "value": value}


def session_started(ts: float | None = None) -> dict[str, Any]:
    return {"event": "session_started", "timestamp": _ts(ts), "metadata": {}}


def row(sender: str, event: dict[str, Any]) -> dict[str, Any]:
    """The ``events`` row Rasa's SQLTrackerStore writes for one event."""
    intent = (event.get("parse_data") or {}).get("intent", {}).get("name")
    return {
        "sender_id": sender,
        "type_name": event["event"],
        "timestamp": event["timestamp"],
        "intent_name": intent,
        "action_name": event.get("name"),
        "data": json.dumps(event),
    }


def store_events(connection: Connection, sender: str, events: Iterable[dict[str, Any]]) -> None:
    rows = [row(sender, event) for event in events]
    if rows:
        connection.execute(insert(rasa_events.events), rows)


def greeting(
    text: str = "Bonjour", language: str = "fr", ts: float | None = None
) -> list[dict[str, Any]]:
    """A first turn: session start, the greeting, the language slot and the bot's reply."""
    start = _ts(ts)
    return [
        action("action_session_start", ts=start),
        session_started(ts=start),
        action("action_listen", ts=start),
        user(text, "greet", 0.98, language, ts=start + 1),
        slot("language", language, ts=start + 1.1),
        action("utter_greet", ts=start + 1.2),
        bot("Bonjour ! Je suis l'assistant virtuel.", "utter_greet", ts=start + 1.3),
        action("action_listen", ts=start + 1.4),
    ]
