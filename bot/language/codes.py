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
