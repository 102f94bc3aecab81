"""The handoff actions with a real Tracker, a CollectingDispatcher and a real SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from actions._base import Services
from actions.handoff import (
    ActionAskCallbackConsent,
    ActionHandoff,
    ActionHandoffWaiting,
    ActionRequestCallback,
    ValidateCallbackForm,
)
from bot import handoff
from bot.config import Settings
from bot.handoff.texts import problem_text
from bot.messages import text as catalog_text
from bot.storage import db, migrate
from tests.conftest import make_tracker

ROOT = Path(__file__).resolve().parents[2]
WEDNESDAY_10 = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)  # 10:00 in Brussels
SATURDAY = datetime(2026, 12, 5, 10, 0, tzinfo=timezone.utc)
SETTINGS = Settings.from_env({"BOT_PUBLIC_URL": "https://emploi.example.org"})
EARLIER = [
    {"event": "action", "name": "action_listen"},
    {
        "event": "user",
        "text": "impôts ?",
        "input_channel": "socketio",
        "parse_data": {"intent": {"name": "faq", "full_retrieval_intent_name": "faq/taxes"}},
    },
    {"event": "bot", "text": "..."},
]


@cache
def _domain() -> dict[str, Any]:
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain")).as_dict()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    engine = db.make_engine(url)
    yield engine
    engine.dispose()


def _stored(engine: Engine) -> list[handoff.CallbackRequest]:
    with db.transaction(engine) as conn:
        return handoff.list_callbacks(conn)


async def _run(action: Any, tracker: Tracker) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, _domain())
    return dispatcher.messages, events


def _responses(messages: list[dict[str, Any]]) -> list[str]:
    return [m["response"] for m in messages]


def _ask(choice: str | None = None, language: str = "fr", **kwargs: Any) -> Tracker:
    entities = [{"entity": "handoff_choice", "value": choice}] if choice else []
    return make_tracker(
        text="/ask_human" if choice else "je veux parler à quelqu'un",
        intent="ask_human",
        entities=entities,
        slots={"language": language, **kwargs.pop("slots", {})},
        history=EARLIER,
        **kwargs,
    )


# --- action_handoff ---------------------------------------------------------------------


async def test_in_office_hours_a_consultant_is_offered_here_or_by_phone(engine: Engine) -> None:
    action = ActionHandoff(Services(SETTINGS, engine, clock=lambda: WEDNESDAY_10))
    messages, events = await _run(action, _ask())
    assert _responses(messages) == ["utter_ask_human", "utter_handoff_offer_open"]
    assert events == [SlotSet("handoff_pending", True)] and _stored(engine) == []


async def test_outside_office_hours_a_callback_is_offered_with_the_hours(engine: Engine) -> None:
    action = ActionHandoff(Services(SETTINGS, engine, clock=lambda: SATURDAY))
    messages, _ = await _run(action, _ask(language="nl"))
    assert _responses(messages) == ["utter_ask_human", "utter_handoff_offer_closed"]
    assert messages[1]["office_hours"] == "van maandag tot vrijdag, van 9 tot 17 uur"


async def test_tests_can_choose_office_hours_in_the_conversation_metadata(engine: Engine) -> None:
    settings = Settings.from_env({"BOT_OFFICE_HOURS_OVERRIDE": "metadata"})
    action = ActionHandoff(Services(settings, engine, clock=lambda: SATURDAY))
    tracker = _ask(slots={"session_started_metadata": {"office_hours": "open"}})
    assert _responses((await _run(action, tracker))[0])[-1] == "utter_handoff_offer_open"
    tracker = _ask(metadata={"office_hours": "closed"})
    action = ActionHandoff(Services(settings, engine, clock=lambda: WEDNESDAY_10))
    assert _responses((await _run(action, tracker))[0])[-1] == "utter_handoff_offer_closed"
    # Without the test mode, the clock decides.
    action = ActionHandoff(Services(SETTINGS, engine, clock=lambda: SATURDAY))
    assert _responses((await _run(action, tracker))[0])[-1] == "utter_handoff_offer_closed"


async def test_live_choice_flags_the_conversation_once(engine: Engine) -> None:
    action = ActionHandoff(Services(SETTINGS, engine, clock=lambda: WEDNESDAY_10))
    messages, events = await _run(action, _ask("live", sender_id="conv-7"))
    assert _responses(messages) == ["utter_handoff_live_requested"]
    assert events == [SlotSet("handoff_pending", True)]
    (live,) = _stored(engine)
    assert live.live and live.status == "new" and live.sender_id == "conv-7"
    assert live.topic == "faq/taxes" and live.channel == "rest" and live.name is None
    await _run(action, _ask("live", sender_id="conv-7"))  # the same message again
    await _run(action, _ask("live", sender_id="conv-7", message_id="message-2"))
    assert len(_stored(engine)) == 1


def _anyone_there(sender_id: str, language: str = "nl") -> Tracker:
    return make_tracker(
        text="hallo? is daar iemand?",
        intent="greet",
        sender_id=sender_id,
        slots={"language": language, "handoff_pending": True},
        history=EARLIER,
    )


async def test_someone_waiting_for_a_consultant_is_told_the_request_is_queued(
    engine: Engine,
) -> None:
    services = Services(SETTINGS, engine, clock=lambda: WEDNESDAY_10)
    await _run(ActionHandoff(services), _ask("live", sender_id="conv-9"))
    messages, events = await _run(ActionHandoffWaiting(services), _anyone_there("conv-9"))
    assert _responses(messages) == ["utter_handoff_waiting"]
    assert messages[0]["office_hours"] == "van maandag tot vrijdag, van 9 tot 17 uur"
    assert events == []  # still waiting
    # Another conversation's request does not make this one wait.
    messages, _ = await _run(ActionHandoffWaiting(services), _anyone_there("conv-10", "fr"))
    assert _responses(messages) == ["utter_handoff_still_here", "utter_handoff_offer_open"]


async def test_once_a_consultant_took_the_request_nobody_is_queued_any_more(
    engine: Engine,
) -> None:
    services = Services(SETTINGS, engine, clock=lambda: WEDNESDAY_10)
    await _run(ActionHandoff(services), _ask("live", sender_id="conv-11"))
    (request,) = _stored(engine)
    with db.transaction(engine) as conn:
        handoff.set_callback_status(conn, request.id, "in_progress", "consultant@example.org")
    messages, events = await _run(ActionHandoffWaiting(services), _anyone_there("conv-11"))
    assert _responses(messages) == ["utter_handoff_still_here", "utter_handoff_offer_open"]
    assert events == [SlotSet("handoff_pending", None)]


async def test_an_unanswered_offer_outside_office_hours_is_offered_again_with_the_hours(
    engine: Engine,
) -> None:
    services = Services(SETTINGS, engine, clock=lambda: SATURDAY)
    messages, _ = await _run(ActionHandoffWaiting(services), _anyone_there("conv-12", "fr"))
    assert _responses(messages) == ["utter_handoff_still_here", "utter_handoff_offer_closed"]
    assert messages[1]["office_hours"] == "du lundi au vendredi, de 9 h à 17 h"


async def test_live_choice_after_closing_time_offers_a_callback(engine: Engine) -> None:
    action = ActionHandoff(Services(SETTINGS, engine, clock=lambda: SATURDAY))
    messages, _ = await _run(action, _ask("live"))
    assert _responses(messages) == ["utter_handoff_offer_closed"]
    assert _stored(engine) == []


async def test_callback_choice_starts_the_form_and_remembers_the_topic(engine: Engine) -> None:
    action = ActionHandoff(Services(SETTINGS, engine, clock=lambda: SATURDAY))
    messages, events = await _run(action, _ask("callback"))
    assert messages == []
    assert events == [SlotSet("callback_topic", "faq/taxes"), FollowupAction("callback_form")]


async def test_live_request_that_cannot_be_stored_says_so(tmp_path: Path) -> None:
    unmigrated = db.make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    action = ActionHandoff(Services(SETTINGS, unmigrated, clock=lambda: WEDNESDAY_10))
    messages, _ = await _run(action, _ask("live"))
    assert _responses(messages) == ["utter_callback_not_saved"]


# --- the form -----------------------------------------------------------------------------


async def test_consent_question_links_the_privacy_notice_in_the_users_language() -> None:
    messages, _ = await _run(
        ActionAskCallbackConsent(Services(SETTINGS, db.engine_for("sqlite://"))),
        _ask(language="nl"),
    )
    assert messages[0]["response"] == "utter_ask_callback_consent"
    assert messages[0]["privacy_url"] == "https://emploi.example.org/nl/privacy"


def _answer(
    slot: str,
    text: str,
    intent: str = "inform",
    language: str = "fr",
    confidence: float = 0.4,
    **slots: Any,
) -> Tracker:
    tracker = make_tracker(
        text=text,
        intent=intent,
        confidence=confidence,
        slots={"language": language, "requested_slot": slot, **slots},
        active_loop="callback_form",
    )
    tracker.events.append({"event": "slot", "name": slot, "value": text})
    tracker.slots[slot] = text
    return tracker


async def _validate(
    slot: str, text: str, **kwargs: Any
) -> tuple[list[str], dict[str, Any], list[dict[str, Any]]]:
    action = ValidateCallbackForm(
        Services(SETTINGS, db.engine_for("sqlite://"), clock=lambda: WEDNESDAY_10)
    )
    messages, events = await _run(action, _answer(slot, text, **kwargs))
    return _responses(messages), {e["name"]: e["value"] for e in events}, messages


CLEARED = (*handoff.FORGOTTEN_SLOTS, "callback_topic")
STOPPED = {slot: None for slot in (*CLEARED, "requested_slot")}


async def test_consent_yes_records_when_and_no_stops_without_storing() -> None:
    responses, slots, _ = await _validate("callback_consent", "/affirm", intent="affirm")
    assert responses == [] and slots == {"callback_consent": WEDNESDAY_10.isoformat()}
    responses, slots, _ = await _validate("callback_consent", "ja, akkoord", language="nl")
    assert slots == {"callback_consent": WEDNESDAY_10.isoformat()}
    responses, slots, _ = await _validate("callback_consent", "/deny", intent="deny")
    assert responses == ["utter_callback_consent_refused"] and slots == STOPPED
    responses, slots, _ = await _validate("callback_consent", "euh, c'est pour quoi ?")
    assert responses == ["utter_callback_consent_unclear"]
    assert slots == {"callback_consent": None}


async def test_a_typed_no_is_not_mistaken_for_a_button() -> None:
    # The NLU may call a name "deny"; only the button's payload counts as that intent.
    _, slots, _ = await _validate("callback_name", "Nathalie Dupont", intent="deny", confidence=0.9)
    assert slots == {"callback_name": "Nathalie Dupont"}


@pytest.mark.parametrize("slot", handoff.FORM_SLOTS)
@pytest.mark.parametrize("text, language", [("laisse tomber", "fr"), ("nee, laat maar", "nl")])
async def test_stop_phrase_stops_the_form_at_every_question(
    slot: str, text: str, language: str
) -> None:
    responses, slots, messages = await _validate(slot, text, language=language)
    assert responses == ["utter_callback_stopped", None] and slots == STOPPED
    # What was kept (nothing) is in the response; how to go on follows it.
    assert messages[1]["text"] == catalog_text(language, "forms.resume.callback")


async def test_wrong_name_is_explained_in_the_users_language() -> None:
    responses, slots, messages = await _validate("callback_name", "Marie 2", language="nl")
    assert responses == ["utter_callback_invalid_name"] and slots == {"callback_name": None}
    assert messages[0]["explanation"] == problem_text("name", "digits", "nl")
    responses, _, _ = await _validate("callback_name", "c'est quoi le statut frontalier ?")
    assert responses == ["utter_callback_not_an_answer"]
    responses, _, _ = await _validate(
        "callback_name", "je veux un conseiller", intent="ask_human", confidence=0.95
    )
    assert responses == ["utter_callback_not_an_answer"]
    _, slots, _ = await _validate("callback_name", "je m'appelle Marie Dupont")
    assert slots == {"callback_name": "Marie Dupont"}
    # The same rules as the booking form's (bot.contact): a first name alone is not enough.
    responses, slots, messages = await _validate("callback_name", "ik heet Jef", language="nl")
    assert responses == ["utter_callback_invalid_name"] and slots == {"callback_name": None}
    assert messages[0]["explanation"] == problem_text("name", "first_and_last_name", "nl")


async def test_bad_phone_number_is_explained_then_a_good_one_is_kept_as_e164() -> None:
    responses, slots, messages = await _validate("callback_phone", "06 12 34")
    assert responses == ["utter_callback_invalid_phone"] and slots == {"callback_phone": None}
    assert messages[0]["explanation"] == problem_text("phone", "too_short", "fr")
    assert "0470 12 34 56" in messages[0]["explanation"]
    responses, slots, _ = await _validate("callback_phone", "+44 20 7946 0958", language="nl")
    assert slots == {"callback_phone": None}
    responses, slots, _ = await _validate("callback_phone", "0470/12.34.56")
    assert responses == [] and slots == {"callback_phone": "+32470123456"}


async def test_email_is_optional() -> None:
    for text, intent in (("/deny", "deny"), ("non merci", "inform"), ("geen e-mail", "inform")):
        _, slots, _ = await _validate("callback_email", text, intent=intent)
        assert slots == {"callback_email": "-"}
    responses, slots, messages = await _validate("callback_email", "marie.gmail.com")
    assert responses == ["utter_callback_invalid_email"] and slots == {"callback_email": None}
    assert messages[0]["explanation"] == problem_text("email", "missing_at", "fr")
    _, slots, _ = await _validate("callback_email", "Marie.Dupont@Gmail.com")
    assert slots == {"callback_email": "marie.dupont@gmail.com", "callback_email_typo": None}


async def test_email_typo_is_pointed_out_and_the_same_address_sent_again_is_kept() -> None:
    responses, slots, messages = await _validate("callback_email", "An@Telenet.bee", language="nl")
    assert responses == ["utter_callback_invalid_email"]
    assert slots == {"callback_email": None, "callback_email_typo": "an@telenet.bee"}
    assert "an@telenet.be?" in messages[0]["explanation"]
    assert "{" not in messages[0]["explanation"]
    _, slots, _ = await _validate(
        "callback_email", "an@telenet.bee", language="nl", callback_email_typo="an@telenet.bee"
    )
    assert slots == {"callback_email": "an@telenet.bee", "callback_email_typo": None}
    _, slots, _ = await _validate("callback_email", "an@telenet.be", callback_email_typo="x@y.bee")
    assert slots == {"callback_email": "an@telenet.be", "callback_email_typo": None}


async def test_moment_is_a_button_value_or_free_text() -> None:
    _, slots, _ = await _validate("callback_moment", "in de namiddag", language="nl")
    assert slots == {"callback_moment": "afternoon"}
    _, slots, _ = await _validate("callback_moment", "mardi après 14 h")
    assert slots == {"callback_moment": "mardi après 14 h"}
    responses, _, _ = await _validate(
        "callback_moment", "il y a des offres à Mons ?", intent="search_vacancies", confidence=0.9
    )
    assert responses == ["utter_callback_not_an_answer"]


# --- action_request_callback ----------------------------------------------------------------

COMPLETE = {
    "language": "fr",
    "callback_consent": "2026-12-02T08:58:00+00:00",
    "callback_name": "Marie Dupont",
    "callback_phone": "+33612345678",
    "callback_email": "-",
    "callback_moment": "morning",
    "callback_topic": "faq/taxes",
}
FORGET = [SlotSet(slot, None) for slot in (*CLEARED, "handoff_pending")]


def _completed(**slots: Any) -> Tracker:
    return make_tracker(
        text="le matin", intent="inform", slots={**COMPLETE, **slots}, sender_id="conv-5"
    )


async def test_complete_request_is_stored_confirmed_and_forgotten(engine: Engine) -> None:
    action = ActionRequestCallback(Services(SETTINGS, engine, clock=lambda: WEDNESDAY_10))
    messages, events = await _run(action, _completed())
    assert events == FORGET
    (stored,) = _stored(engine)
    assert (stored.sender_id, stored.name, stored.phone) == (
        "conv-5",
        "Marie Dupont",
        "+33612345678",
    )
    assert stored.email is None and stored.preferred_moment == "morning"
    assert stored.topic == "faq/taxes" and stored.channel == "rest" and not stored.live
    assert stored.consent_at == datetime(2026, 12, 2, 8, 58, tzinfo=timezone.utc)
    assert stored.consent_version == handoff.CONSENT_TEXT_VERSION
    (confirmation,) = messages
    assert confirmation["response"] == "utter_callback_confirmed"
    assert confirmation["name"] == "Marie Dupont"
    assert confirmation["phone"] == "+33 6 12 34 56 78"
    assert confirmation["moment"] == "le matin"
    assert confirmation["when"] == "dès aujourd'hui"
    assert confirmation["office_hours"] == "du lundi au vendredi, de 9 h à 17 h"


async def test_request_delivered_twice_is_stored_once(engine: Engine) -> None:
    action = ActionRequestCallback(Services(SETTINGS, engine, clock=lambda: SATURDAY))
    await _run(action, _completed(language="nl", callback_email="an@telenet.be"))
    messages, _ = await _run(action, _completed(language="nl", callback_email="an@telenet.be"))
    (stored,) = _stored(engine)
    assert stored.email == "an@telenet.be" and stored.language == "nl"
    assert messages[0]["when"] == "vanaf maandag 7 december"
    assert messages[0]["moment"] == "in de voormiddag"


async def test_stopped_form_stores_nothing_and_forgets(engine: Engine) -> None:
    action = ActionRequestCallback(Services(SETTINGS, engine, clock=lambda: SATURDAY))
    empty = {slot: None for slot in COMPLETE if slot != "language"}
    messages, events = await _run(action, _completed(**empty))
    assert messages == [] and events == FORGET and _stored(engine) == []


async def test_request_that_cannot_be_stored_says_so(tmp_path: Path) -> None:
    unmigrated = db.make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    action = ActionRequestCallback(Services(SETTINGS, unmigrated, clock=lambda: SATURDAY))
    messages, events = await _run(action, _completed())
    assert _responses(messages) == ["utter_callback_not_saved"] and events == FORGET


# --- what is typed is kept (issue 21, items 2 and 3) ---------------------------------------


async def test_a_moment_given_for_the_name_is_kept_for_its_question_not_stored_as_the_name() -> (
    None
):
    consented = {"callback_consent": WEDNESDAY_10.isoformat()}
    responses, slots, messages = await _validate("callback_name", "plutôt le matin", **consented)
    assert slots["callback_name"] is None and slots["callback_moment"] == "morning"
    assert messages[0]["explanation"] == problem_text("name", "not_a_name", "fr")


@pytest.mark.parametrize(("said", "language", "kind"),
                         [("merci", "fr", "thanks"), ("bedankt", "nl", "thanks"),
                          ("dat heb ik toch al gezegd", "nl", "complaint")])  # fmt: skip
async def test_thanks_or_a_complaint_is_acknowledged_and_the_question_asked_again(
    said: str, language: str, kind: str
) -> None:
    for slot in ("callback_name", "callback_phone", "callback_moment"):
        _, slots, messages = await _validate(slot, said, language=language, intent="thank")
        assert slots == {slot: None}  # not even the free-text moment takes it
        assert messages[0]["text"] == catalog_text(language, f"forms.ack.{kind}")


async def test_everything_at_once_fills_every_question_it_answers() -> None:
    said = (
        "Mijn naam is An Peeters, gsm 0470 12 34 56, e-mail an.peeters@telenet.be, liefst "
        "in de voormiddag"
    )
    _, slots, _ = await _validate(
        "callback_name", said, language="nl", callback_consent=WEDNESDAY_10.isoformat()
    )
    assert slots["callback_name"] == "An Peeters"
    assert slots["callback_phone"] == "+32470123456"
    assert slots["callback_email"] == "an.peeters@telenet.be"
    assert slots["callback_moment"] == "morning"
