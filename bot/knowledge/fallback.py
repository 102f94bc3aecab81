"""Which topics to offer when the assistant is not sure what the user meant."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Intents that are never worth offering as a guess.
_NOT_OFFERED = frozenset({"nlu_fallback", "other_language", "affirm", "deny", "out_of_scope"})


@dataclass(frozen=True)
class Choice:
    """One button of the "did you mean" question."""

    intent: str
    confidence: float


def likely_intents(
    ranking: Iterable[Mapping[str, object]],
    offerable: set[str] | frozenset[str],
    limit: int = 3,
    min_confidence: float = 0.05,
) -> list[Choice]:
    """The best guesses of the classifier, best first, that can be offered as buttons.

    Args:
        ranking: the classifier's intent ranking (``name`` and ``confidence``).
        offerable: intents that have a label in the catalog.
        limit: how many buttons at most; more than three is harder to read on a phone.
        min_confidence: guesses below this are noise, not a likely topic.
    """
    choices: list[Choice] = []
    for entry in ranking:
        name = str(entry.get("name") or "")
        confidence = float(entry.get("confidence") or 0.0)  # type: ignore[arg-type]
        if name in _NOT_OFFERED or name not in offerable or confidence < min_confidence:
            continue
        if any(choice.intent == name for choice in choices):
            continue
        choices.append(Choice(name, confidence))
        if len(choices) == limit:
            break
    return choices


def misunderstandings(events: Iterable[Mapping[str, Any]]) -> int:
    """How many user messages of the current session the NLU could not classify.

    ``events`` are the tracker's events as dicts, oldest first; a session start begins the
    count again. Messages the two-stage fallback reverted still count: each was a message
    the assistant did not understand.
    """
    count = 0
    for event in events:
        if event.get("event") == "session_started":
            count = 0
        elif event.get("event") == "user":
            intent = (event.get("parse_data") or {}).get("intent") or {}
            count += intent.get("name") == "nlu_fallback"
    return count
