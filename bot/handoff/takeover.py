"""Live takeover through Rasa's HTTP API: a consultant joins, writes, and hands back.

``take_over`` appends a ``pause`` event, so that Rasa still logs the candidate's messages but
predicts no action (the bot stays silent); ``send_as_consultant`` appends a ``bot`` event that
Rasa sends to the candidate's latest channel; ``hand_back`` appends ``resume``. The candidate
is told in their language when a consultant joins and when the assistant is back.
"""

from __future__ import annotations

from typing import Any

from bot.config import Settings
from bot.errors import (
    AlreadyTakenOver,
    ConversationNotFound,
    NotTakenOver,
)
from bot.handoff import rasa_api
from bot.handoff.callbacks import FORGOTTEN_SLOTS
from bot.handoff.texts import takeover_text
from bot.language.codes import supported_or_default


async def _conversation(settings: Settings, sender_id: str) -> dict[str, Any]:
    state = await rasa_api.tracker_state(settings, sender_id)
    if not state.get("latest_input_channel"):
        raise ConversationNotFound(sender_id)
    return state


def _language(state: dict[str, Any]) -> str:
    """The language of the conversation whose tracker state this is."""
    return supported_or_default((state.get("slots") or {}).get("language"))


def _bot_event(text: str, **metadata: str) -> dict[str, Any]:
    return {"event": "bot", "text": text, "metadata": {"handoff": True, **metadata}}


async def take_over(settings: Settings, sender_id: str, consultant: str) -> None:
    """A consultant takes the conversation: the bot goes silent, the candidate is told.

    A form or fallback loop in progress is closed (its half-given answers forgotten).

    Raises:
        ConversationNotFound: the candidate never wrote.
        AlreadyTakenOver: a consultant is already in charge.
        RasaApiUnavailable: the API is off, unreachable or refused the call.
    """
    state = await _conversation(settings, sender_id)
    if state.get("paused"):
        raise AlreadyTakenOver(sender_id)
    events: list[dict[str, Any]] = []
    if (state.get("active_loop") or {}).get("name"):
        events += [
            {"event": "active_loop", "name": None},
            {"event": "slot", "name": "requested_slot", "value": None},
        ]
    slots = state.get("slots") or {}
    events += [{"event": "slot", "name": s, "value": None} for s in FORGOTTEN_SLOTS if slots.get(s)]
    events += [
        {"event": "pause"},
        _bot_event(
            takeover_text("joined", _language(state)), kind="consultant_joined",
            consultant=consultant,
        ),
    ]  # fmt: skip
    await rasa_api.append_events(settings, sender_id, events)


async def send_as_consultant(settings: Settings, sender_id: str, text: str) -> None:
    """Deliver the consultant's words, as they are, to the candidate's channel.

    Raises:
        ValueError: an empty message.
        ConversationNotFound: the candidate never wrote.
        NotTakenOver: the bot is in charge (take the conversation over first).
        RasaApiUnavailable: the API is off, unreachable or refused the call.
    """
    if not text.strip():
        raise ValueError("the consultant's message is empty")
    state = await _conversation(settings, sender_id)
    if not state.get("paused"):
        raise NotTakenOver(sender_id)
    await rasa_api.append_events(settings, sender_id, [_bot_event(text, kind="consultant_message")])


async def hand_back(settings: Settings, sender_id: str, idle: bool = False) -> None:
    """The assistant is in charge again; the candidate is told. Nothing to do if it was.

    ``idle``: nobody wrote for ``BOT_TAKEOVER_IDLE_MINUTES``, so the candidate reads that the
    consultant left for that reason (and how to ask for one again), not a plain goodbye.

    Raises:
        ConversationNotFound: the candidate never wrote.
        RasaApiUnavailable: the API is off, unreachable or refused the call.
    """
    state = await _conversation(settings, sender_id)
    if not state.get("paused"):
        return
    kind = "idle" if idle else "left"
    back = _bot_event(
        takeover_text(kind, _language(state)),
        kind="assistant_back_idle" if idle else "assistant_back",
    )
    await rasa_api.append_events(settings, sender_id, [{"event": "resume"}, back])
