"""The languages the assistant speaks, by code."""

from __future__ import annotations

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
