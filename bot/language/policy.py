"""Which language the conversation keeps after a message: a pure function of what is known.

An explicit request ("en français svp") wins; otherwise the language is sticky and changes
only on a message clearly written in the other language (:data:`SWITCH_MIN_WORDS`,
:data:`SWITCH_MIN_CONFIDENCE`), so that "ok", "Kortrijk" or "merci" never flip it. The page
language decides an ambiguous first message.

A first message that tells nothing about its language ("ok", "hello", "?", an emoji, a town
name) is an *ambiguous opening* (:func:`is_ambiguous_opening`): the assistant greets in both
languages, the page language first, and the next message chooses the language as a first
message would (``language_unsure`` slot).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.language.codes import DEFAULT_LANGUAGE, SUPPORTED, other_language, supported_or_default
from bot.language.detection import Detection

# A conversation changes language only on a message with at least this many informative
# words, detected with at least this confidence: "ok", "Kortrijk" or "bedankt" alone
# keep the current language.
SWITCH_MIN_WORDS = 2
SWITCH_MIN_CONFIDENCE = 0.8


def is_clear_switch(current: str, detection: Detection) -> bool:
    """True when the message is clearly written in the supported language other than ``current``."""
    return (
        detection.name in SUPPORTED
        and detection.name != current
        and detection.words >= SWITCH_MIN_WORDS
        and detection.confidence >= SWITCH_MIN_CONFIDENCE
    )


# Form questions whose answers carry no language evidence: a name ("Jan Vandenberghe" in a
# French conversation), a phone number, an e-mail address. Their answers never switch.
NEUTRAL_ANSWER_SLOTS = frozenset({"callback_name", "callback_phone", "callback_email"})


SWITCH_INTENT = "switch_language"

# The slot that says the conversation's language is still a guess: set on an ambiguous first
# message (:func:`is_ambiguous_opening`), cleared by the next one.
UNSURE_SLOT = "language_unsure"


def is_ambiguous_opening(message: Mapping[str, Any], current: str | None) -> bool:
    """True when ``message`` opens the conversation and tells nothing of its language.

    The first message ("ok", "hello", "?", an emoji, "Kortrijk": no informative word, no
    request for a language) of a conversation whose language is not known yet; the page
    language does not make it less ambiguous, it only says which greeting comes first.
    """
    if current in SUPPORTED or _requested_language(message, current) is not None:
        return False
    detection = Detection.from_dict(message.get("language"))
    return detection is None or detection.words == 0


def language_after_message(
    message: Mapping[str, Any],
    current: str | None,
    asked_slot: str | None = None,
    unsure: bool = False,
) -> str:
    """The conversation's language after one user message: what the ``language`` slot holds.

    Args:
        message: the message's parse data as the tracker keeps it (``language`` from the
            detector, ``intent``, ``entities``, ``metadata`` with the page language).
        current: the conversation's language so far.
        asked_slot: the slot an active form is asking for; the answer to a name, phone or
            e-mail question says nothing about the language.
        unsure: the conversation opened with an ambiguous message (greeted in both
            languages): one informative word of this message chooses the language.
    """
    detection = (
        None if asked_slot in NEUTRAL_ANSWER_SLOTS else Detection.from_dict(message.get("language"))
    )
    requested = _requested_language(message, current)
    if unsure and requested is None and detection is not None and detection.words > 0:
        return detection.name if detection.name in SUPPORTED else supported_or_default(current)
    metadata = message.get("metadata")
    return decide(
        current,
        detection,
        requested=requested,
        page_language=metadata.get("language") if isinstance(metadata, dict) else None,
    )


def slots_after_message(
    message: Mapping[str, Any],
    slots: Mapping[str, Any],
    asked_slot: str | None = None,
) -> dict[str, Any]:
    """The language slots that change after one user message, with their new values.

    Args:
        message: the message's parse data as the tracker keeps it.
        slots: the conversation's slots (``language`` and :data:`UNSURE_SLOT` are read).
        asked_slot: the slot an active form is asking for.

    Returns ``language`` when it changes, and :data:`UNSURE_SLOT`: True on an ambiguous first
    message, None (unset) on the message after it, which is answered in the language it
    chose (the guess when it is ambiguous too: the greeting in both languages is said once).
    """
    current = slots.get("language")
    unsure = bool(slots.get(UNSURE_SLOT))
    changes: dict[str, Any] = {}
    language = language_after_message(message, current, asked_slot, unsure)
    if language != current:
        changes["language"] = language
    if unsure:
        changes[UNSURE_SLOT] = None
    elif is_ambiguous_opening(message, current):
        changes[UNSURE_SLOT] = True
    return changes


def _requested_language(message: Mapping[str, Any], current: str | None) -> str | None:
    """The language asked for by ``switch_language``: the named one, else the other one."""
    if (message.get("intent") or {}).get("name") != SWITCH_INTENT:
        return None
    named = [e.get("value") for e in message.get("entities") or [] if e.get("entity") == "language"]
    valid = [value for value in named if value in SUPPORTED]
    return valid[-1] if valid else other_language(current)


def decide(
    current: str | None,
    detection: Detection | None,
    requested: str | None = None,
    page_language: str | None = None,
) -> str:
    """Choose the language of the conversation after one user message.

    Args:
        current: the conversation's language so far (``None`` on the first message).
        detection: the language detected for the message, if any.
        requested: a language the user explicitly asked for ("en français svp").
        page_language: the language of the web page the chat was opened on.

    An explicit request always wins. Otherwise the language is sticky: it only changes
    when the message is clearly in the other language, because short messages such as
    "ok" or "Kortrijk" are valid in both. The first message of a conversation falls back
    on the page language, then on the detector's best guess.
    """
    if requested in SUPPORTED:
        return requested
    base = (
        current if current in SUPPORTED else page_language if page_language in SUPPORTED else None
    )
    if detection is None or detection.name not in SUPPORTED:
        return base or DEFAULT_LANGUAGE
    if base is None:
        return detection.name
    return detection.name if is_clear_switch(base, detection) else base
