"""The languages the assistant speaks, by code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FRENCH = "fr"
DUTCH = "nl"
OTHER = "other"
SUPPORTED = (FRENCH, DUTCH)
DEFAULT_LANGUAGE = FRENCH


def other_language(language: str | None) -> str:
    """The other supported language (French when the current one is unknown)."""
    return FRENCH if language == DUTCH else DUTCH if language == FRENCH else FRENCH


def supported_or_default(value: object) -> str:
    """``value`` when the assistant speaks it ("fr", "nl"), else the default language.

    For a language that comes from outside (a slot, a setting, a stored row) and may be
    missing or anything else.
    """
    return value if isinstance(value, str) and value in SUPPORTED else DEFAULT_LANGUAGE


def reply_language(details: Mapping[str, Any]) -> str | None:
    """The language a bot message is written in, from what Rasa keeps with it.

    ``language`` when an action gave one to ``utter_message``, else the value of the domain
    response's condition on the ``language`` slot (every response has one per language);
    None when neither says (a consultant's message). The website marks the message with it
    (``lang``), and so does the console's transcript.
    """
    language = details.get("language")
    if language in SUPPORTED:
        return str(language)
    for condition in details.get("condition") or ():
        if isinstance(condition, dict) and condition.get("name") == "language":
            value = condition.get("value")
            return str(value) if value in SUPPORTED else None
    return None
