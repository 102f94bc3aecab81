"""The "please try again in a moment" answer, in the language of the message.

The conversation's language slot is out of reach when this text is needed (its store is
down), so the language comes from the message itself: the page language of its metadata,
else detection on its text, else both languages (a short "ok" says nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot import language
from bot.language import codes as language_codes
from bot.messages import text

KEY = "service.try_again"
# Detection must rest on at least one informative word and be fairly clear.
MIN_CONFIDENCE = 0.6


def message_language(message_text: str | None, metadata: Mapping[str, Any] | None) -> str | None:
    """``fr`` or ``nl`` for this message, ``None`` when nothing tells."""
    page = (metadata or {}).get("language")
    if page in language.SUPPORTED:
        return str(page)
    if message_text and not message_text.startswith("/"):
        detection = language.detect(message_text)
        if (
            detection.name in language.SUPPORTED
            and detection.words
            and detection.confidence >= MIN_CONFIDENCE
        ):
            return detection.name
    return None


def try_again_text(message_text: str | None, metadata: Mapping[str, Any] | None) -> str:
    """The polite retry text in the message's language, or in French then Dutch."""
    lang = message_language(message_text, metadata)
    if lang is not None:
        return text(lang, KEY)
    return f"{text('fr', KEY)}\n\n{text('nl', KEY)}"


TOO_LONG_KEY = "service.too_long"
# Language detection on a refused message reads its beginning only: its cost grows with the
# length, which is what the limit protects against.
DETECTION_PREFIX = 300


def _count(language: str, number: int) -> str:
    """``2 000`` in French (narrow no-break space), ``2.000`` in Dutch."""
    grouped = f"{number:,}"
    return grouped.replace(",", "\u202f" if language == "fr" else ".")


def too_long_text(
    language: str | None, limit: int, message_text: str | None, metadata: Mapping[str, Any] | None
) -> str:
    """ "Your message is too long" in ``language`` (the conversation's), else in the language
    of the message's beginning or page, else in French then Dutch."""
    lang = language if language in language_codes.SUPPORTED else None
    lang = lang or message_language((message_text or "")[:DETECTION_PREFIX], metadata)
    if lang is not None:
        return text(lang, TOO_LONG_KEY).format(limit=_count(lang, limit))
    return "\n\n".join(
        text(code, TOO_LONG_KEY).format(limit=_count(code, limit))
        for code in language_codes.SUPPORTED
    )
