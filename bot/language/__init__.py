"""The conversation's language: which one a message is in, and which one the conversation keeps.

:mod:`~bot.language.detection` reads one message; :mod:`~bot.language.policy` decides the
conversation's language from it and from what the conversation already knows.
"""

from bot.language.codes import (
    DEFAULT_LANGUAGE,
    DUTCH,
    FRENCH,
    OTHER,
    SUPPORTED,
    other_language,
    supported_or_default,
)
from bot.language.detection import (
    FOREIGN_MIN_CONFIDENCE,
    FOREIGN_MIN_WORDS,
    Detection,
    LanguageName,
    detect,
    informative_words,
    is_foreign,
    learn_markers,
    named_languages,
    place_words,
)
from bot.language.policy import (
    NEUTRAL_ANSWER_SLOTS,
    SWITCH_INTENT,
    SWITCH_MIN_CONFIDENCE,
    SWITCH_MIN_WORDS,
    UNSURE_SLOT,
    decide,
    is_ambiguous_opening,
    is_clear_switch,
    language_after_message,
    slots_after_message,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "DUTCH",
    "FOREIGN_MIN_CONFIDENCE",
    "FOREIGN_MIN_WORDS",
    "FRENCH",
    "NEUTRAL_ANSWER_SLOTS",
    "OTHER",
    "SUPPORTED",
    "SWITCH_INTENT",
    "SWITCH_MIN_CONFIDENCE",
    "SWITCH_MIN_WORDS",
    "UNSURE_SLOT",
    "Detection",
    "LanguageName",
    "decide",
    "detect",
    "informative_words",
    "is_ambiguous_opening",
    "is_clear_switch",
    "is_foreign",
    "language_after_message",
    "learn_markers",
    "named_languages",
    "other_language",
    "place_words",
    "slots_after_message",
    "supported_or_default",
]
