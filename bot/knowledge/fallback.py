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


# Intents that start something the candidate may not want: a booking, a cancellation, the
# end of a search, another language, a consultant. Acting on the wrong one is worse than
# asking (issue 21: a colloquial cancellation started a booking).
ACTING_INTENTS = frozenset(
    {"book_info_session", "cancel_booking", "stop", "switch_language", "ask_human"}
)
# The classifier hesitates between two acting intents when the second has at least this share
# of the first's confidence (cancel 0.44, book 0.20 asks; cancel 0.81, book 0.10 acts).
HESITATION_RATIO = 0.4
# Below this, the second intent is noise whatever the first's confidence.
HESITATION_MIN_CONFIDENCE = 0.1


def hesitation(ranking: Iterable[Mapping[str, object]]) -> tuple[str, str] | None:
    """The two acting intents the classifier hesitates between, best first; None when it does not.

    Args:
        ranking: the classifier's intent ranking (``name`` and ``confidence``), best first;
            entries of ``nlu_fallback`` or ``other_language`` added by a fallback are skipped.

    The best intent must be an acting one, and the best other acting intent close to it.
    """
    entries = [
        (str(entry.get("name") or ""), float(entry.get("confidence") or 0.0))  # type: ignore[arg-type]
        for entry in ranking
        if entry.get("name") not in ("nlu_fallback", "other_language")
    ]
    if not entries or entries[0][0] not in ACTING_INTENTS:
        return None
    best, confidence = entries[0]
    for name, other in entries[1:]:
        if name in ACTING_INTENTS and name != best:
            close = other >= HESITATION_MIN_CONFIDENCE and other >= HESITATION_RATIO * confidence
            return (best, name) if close else None
    return None


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
