"""Failed booking-reference look-ups in the chat are throttled (issue 22): after
``BOT_MAX_FAILED_REFERENCES`` unknown references, a conversation is refused politely in its
language, even a right reference, until the oldest failure leaves the 15-minute window.

The real cancellation form's validation on SQLite and PostgreSQL, as the action server runs it.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from actions._base import Services, reference_throttle
from actions.session_cancel import ValidateCancelBookingForm
from bot import references, sessions
from bot.config import Settings
from bot.messages import text
from bot.storage import db
from bot.throttle import FailureThrottle
from tests.conftest import make_tracker
from tests.factories import booking_fields, make_info_session

SETTINGS = Settings.from_env({"BOT_MAX_FAILED_REFERENCES": "3"})


def _reference(engine: Engine) -> str:
    with db.transaction(engine) as conn:
        session = make_info_session(conn, capacity=5)
        return sessions.book(conn, session.id, **booking_fields()).booking.reference


def _unknown() -> str:
    return references.new_reference()


async def _try(
    services: Services, reference: str, sender: str, language: str = "fr", **kwargs: Any
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One reference typed into a new cancellation form of conversation ``sender``."""
    slots = {"language": language, "requested_slot": "booking_reference"}
    tracker = make_tracker(
        reference, "inform", slots=slots, active_loop="cancel_booking_form", sender_id=sender,
        **kwargs,
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    result = await ValidateCancelBookingForm(services).validate_booking_reference(
        reference, dispatcher, tracker, {}
    )
    return dispatcher.messages, result


@pytest.mark.parametrize("language", ["fr", "nl"])
async def test_a_conversation_that_tried_too_many_unknown_references_is_refused(
    engine: Engine, language: str
) -> None:
    services = Services(SETTINGS, engine, reference_failures=reference_throttle(SETTINGS))
    right = _reference(engine)
    for _ in range(3):  # each in a new form: the form's own attempt count starts again
        unknown = _unknown()
        messages, result = await _try(services, unknown, "guesser", language)
        assert result["booking_reference"] is None
        unknown_text = text(language, "invalid.reference.unknown").format(reference=unknown)
        assert messages[0]["text"] == unknown_text
    messages, result = await _try(services, right, "guesser", language)
    throttled = text(language, "invalid.reference.throttled").format(minutes=15)
    assert [m["text"] for m in messages] == [throttled]
    assert result == {"booking_reference": None, "requested_slot": None}
    # Another conversation is not concerned.
    messages, result = await _try(services, right, "someone-else", language)
    assert result == {"booking_reference": right} and messages == []


def test_the_refusal_ends_when_the_oldest_failure_leaves_the_window() -> None:
    throttle = FailureThrottle(free=3, window_s=900)
    for moment in (0.0, 100.0, 200.0):
        throttle.failed("k", now=moment)
    assert throttle.blocked_for("k", now=300.0) == 600.0
    assert throttle.blocked_for("k", now=900.0) == 0.0  # the first one is out
    assert throttle.blocked_for("other", now=300.0) == 0.0
