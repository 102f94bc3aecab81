"""The forms through the real assistant and the trained model (issue 21, items 1, 2, 3, 5, 7):
the session typed as a number is the one at that place in the list shown, what is typed is
kept whatever the model makes of it, a question inside a form is answered."""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest

from bot import messages
from tests.e2e.conftest import Assistant
from tests.e2e.test_conversations import _last_turn, say, tracker

pytestmark = pytest.mark.e2e


def _session_ids(replies: list[dict[str, Any]]) -> list[int]:
    """The database ids of the session buttons, in the order shown."""
    ids = []
    for reply in replies:
        for button in reply.get("buttons") or []:
            payload = str(button.get("payload", ""))
            if "session_id" in payload:
                ids.append(int(json.loads(payload[payload.index("{") :])["session_id"]))
    return ids


def _texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(r.get("text", "")) for r in replies)


def test_booking_form_picks_the_session_shown_and_keeps_what_is_typed(
    assistant: Assistant,
) -> None:
    sender = f"e2e-form-{secrets.token_hex(6)}"
    listed = say(assistant, sender, "quelles sont les prochaines séances d'information ?")
    shown = _session_ids(listed)
    assert len(shown) >= 2, listed
    # "la n" is the n-th session of the list, not the session whose id is n: n is chosen
    # where the two differ.
    n = next((n for n, i in enumerate(shown, start=1) if i != n), 2)
    say(assistant, sender, f"je veux m'inscrire à la {n}")
    state = tracker(assistant, sender)
    assert state["slots"]["session_id"] == str(shown[n - 1]), (n, shown)
    _, responses = _last_turn(state["events"])
    if "utter_ask_waitlist_consent" in responses:
        say(assistant, sender, "oui")
    # Thanks in the middle of the form: acknowledged, the question asked again.
    replies = say(assistant, sender, "merci")
    assert messages.text("fr", "forms.ack.thanks") in _texts(replies)
    assert tracker(assistant, sender)["active_loop"].get("name") == "info_session_form"
    # Everything at once: the name, the address and the phone number are all kept.
    say(
        assistant,
        sender,
        "Je m'appelle Léa Moreau, mon mail c'est lea.moreau@example.org et mon numéro le "
        "06 12 34 56 78",
    )
    slots = tracker(assistant, sender)["slots"]
    assert slots["candidate_name"] == "Léa Moreau"
    assert slots["candidate_email"] == "lea.moreau@example.org"
    assert slots["candidate_phone"] == "+33612345678"
    replies = say(assistant, sender, "oui")
    _, responses = _last_turn(tracker(assistant, sender)["events"])
    assert {"utter_booking_confirmed", "utter_booking_waitlisted"} & set(responses), replies


def test_details_listed_before_the_session_is_chosen_are_all_kept(assistant: Assistant) -> None:
    """The name, like the address and the number, is kept from a list of details typed
    while the assistant still asks which session."""
    sender = f"e2e-form-{secrets.token_hex(6)}"
    listed = say(assistant, sender, "ik wil me inschrijven voor een infosessie")
    shown = _session_ids(listed)
    assert len(shown) >= 2, listed
    assert tracker(assistant, sender)["slots"]["requested_slot"] == "session_id"
    say(assistant, sender, "Karel Van den Broeck, karel.vdbroeck@skynet.be, 0478 12 34 56")
    slots = tracker(assistant, sender)["slots"]
    assert slots["candidate_name"] == "Karel Van den Broeck"
    assert slots["candidate_email"] == "karel.vdbroeck@skynet.be"
    assert slots["candidate_phone"] == "+32478123456"
    assert slots["requested_slot"] == "session_id"
    say(assistant, sender, "de tweede")
    state = tracker(assistant, sender)
    assert state["slots"]["session_id"] == str(shown[1])
    assert state["slots"]["requested_slot"] in ("waitlist_consent", "booking_consent")


@pytest.mark.parametrize("name", ["Léa Moreau", "Thomas Fournier", "Els De Wilde"])
def test_names_the_model_misreads_are_kept(assistant: Assistant, name: str) -> None:
    sender = f"e2e-form-{secrets.token_hex(6)}"
    listed = say(assistant, sender, "ik wil me inschrijven voor een infosessie")
    shown = _session_ids(listed)
    n = next((n for n, i in enumerate(shown, start=1) if i != n), 1)
    say(assistant, sender, str(n))
    state = tracker(assistant, sender)
    assert state["slots"]["session_id"] == str(shown[n - 1]), (n, shown)
    _, responses = _last_turn(state["events"])
    if "utter_ask_waitlist_consent" in responses:
        say(assistant, sender, "ja")
    say(assistant, sender, name)
    state = tracker(assistant, sender)
    assert state["slots"]["candidate_name"] == name
    assert state["active_loop"].get("name") == "info_session_form"


def test_cancelling_without_the_reference_offers_a_consultant(assistant: Assistant) -> None:
    sender = f"e2e-form-{secrets.token_hex(6)}"
    say(assistant, sender, "je voudrais annuler mon inscription")
    replies = say(assistant, sender, "je sais plus la référence")
    # No SMTP server in these tests: a consultant finds the booking.
    assert messages.text("fr", "sessions.lookup.offer_consultant") in _texts(replies)
    payloads = [b.get("payload") for r in replies for b in r.get("buttons") or []]
    assert "/ask_human" in payloads


def test_a_question_during_the_search_form_is_answered(assistant: Assistant) -> None:
    sender = f"e2e-form-{secrets.token_hex(6)}"
    say(assistant, sender, "je cherche du travail")
    replies = say(assistant, sender, "et les impôts alors ?")
    state = tracker(assistant, sender)
    assert state["slots"]["faq_topic"] == "taxes", _texts(replies)
    assert "Je ne connais pas le métier" not in _texts(replies)
    replies = say(assistant, sender, "ok")
    assert "Je ne connais pas le métier" not in _texts(replies)


def test_another_request_during_the_search_form_is_started(assistant: Assistant) -> None:
    sender = f"e2e-form-{secrets.token_hex(6)}"
    say(assistant, sender, "ik zoek werk")
    replies = say(assistant, sender, "ik wil me inschrijven voor een infosessie")
    state = tracker(assistant, sender)
    assert (state["active_loop"] or {}).get("name") == "info_session_form", _texts(replies)
    assert "Ik ken het beroep" not in _texts(replies)
