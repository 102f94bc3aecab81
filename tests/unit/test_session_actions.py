"""Session actions with a real Tracker and CollectingDispatcher, on a real SQLite database."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from actions._base import Services, UsesServices
from actions.session_cancel import (
    ActionAskCancelConfirmed,
    ActionCancelBooking,
    ValidateCancelBookingForm,
)
from actions.sessions import (
    NO_PHONE,
    NOT_NEEDED,
    ActionAskBookingConsent,
    ActionAskSessionId,
    ActionBookInfoSession,
    ActionListInfoSessions,
    ActionResetBookingForm,
    ValidateInfoSessionForm,
)
from bot import sessions
from bot.config import Settings
from bot.messages import text
from bot.sessions import texts as sessions_texts
from bot.storage import db, migrate
from tests.conftest import make_tracker
from tests.factories import booking_fields, in_days, make_info_session

DOMAIN_FILE = Path(__file__).resolve().parents[2] / "domain" / "sessions.yml"
RESPONSES = yaml.safe_load(DOMAIN_FILE.read_text())["responses"]
FORM_DOMAIN = {"forms": yaml.safe_load(DOMAIN_FILE.read_text())["forms"]}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'actions.db'}"
    migrate.upgrade(url)
    engine = db.make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def services(engine: Engine) -> Services:
    return Services(Settings.from_env({"BOT_PUBLIC_URL": "https://emploi.example.be"}), engine)


@pytest.fixture
def offered(engine: Engine) -> dict[str, sessions.InfoSession]:
    """Kortrijk on Tuesday (bilingual), Tournai on Thursday (full), Lille (French)."""
    tuesday = _next_weekday(1)
    with db.transaction(engine) as conn:
        kortrijk = make_info_session(conn, starts_at=tuesday)
        tournai = make_info_session(
            conn, starts_at=tuesday + dt.timedelta(days=2, hours=4), place_id="be-tournai",
            venue="Le Forem Tournai", topic="job_dating", capacity=1,
            title_fr="Job dating soins et santé", title_nl="Jobdating zorg",
        )  # fmt: skip
        sessions.book(conn, tournai.id, **booking_fields())
        lille = make_info_session(
            conn, starts_at=tuesday + dt.timedelta(days=7), place_id="fr-lille",
            venue="France Travail Lille", language="fr", topic="cv_application",
            title_fr="Atelier CV et candidature pour la Flandre",
            title_nl="Workshop cv en sollicitatie voor Vlaanderen",
        )  # fmt: skip
        return {
            "kortrijk": sessions.get_session(conn, kortrijk.id),
            "tournai": sessions.get_session(conn, tournai.id),
            "lille": lille,
        }


def _next_weekday(weekday: int) -> dt.datetime:
    """The first such weekday at 09:30 that is at least a week away (deadline ahead)."""
    start = in_days(8)
    while start.weekday() != weekday:
        start += dt.timedelta(days=1)
    return start


def rendered(message: dict[str, Any], language: str, slots: dict | None = None) -> str:
    """The text Rasa would send: the response's variation filled with the action's values."""
    [variation] = [
        v for v in RESPONSES[message["response"]] if v["condition"][0]["value"] == language
    ]
    values = {**(slots or {}), "language": language, **message}
    return variation["text"].format(**values)  # KeyError: a placeholder the action forgot


async def run(action, tracker, domain=None) -> tuple[CollectingDispatcher, list]:  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain or FORM_DOMAIN)
    return dispatcher, events


# --- the list -----------------------------------------------------------------------------


async def test_list_shows_sessions_in_french_with_a_booking_button_each(
    services: Services, offered: dict
) -> None:
    tracker = make_tracker("quelles sont les prochaines séances d'info ?", "list_info_sessions",
                           slots={"language": "fr"})  # fmt: skip
    dispatcher, events = await run(ActionListInfoSessions(services), tracker)
    [message] = dispatcher.messages
    assert message["response"] == "utter_info_sessions"
    shown = rendered(message, "fr")
    assert shown.startswith("Prochaines séances d'information :\n1. Impôts et sécurité sociale")
    assert "Courtrai (bilingue FR/NL) — 10 places restantes" in shown
    assert "Tournai (bilingue FR/NL) — complet, liste d'attente possible" in shown
    assert re.search(r"mardi \d+ \w+ à 09:30", shown)
    ids = [s.id for s in (offered["kortrijk"], offered["tournai"], offered["lille"])]
    assert [b["payload"] for b in message["buttons"]] == [
        f'/book_info_session{{"session_id": "{i}"}}' for i in ids
    ]
    assert events == [SlotSet("session_options", ids)]


async def test_list_in_dutch_filtered_by_a_place_named_in_dutch(
    services: Services, offered: dict
) -> None:
    tracker = make_tracker("zijn er infosessies in Doornik?", "list_info_sessions",
                           slots={"language": "nl"})  # fmt: skip
    dispatcher, events = await run(ActionListInfoSessions(services), tracker)
    shown = rendered(dispatcher.messages[0], "nl")
    assert shown.startswith("Volgende infosessies:\n1. Jobdating zorg — donderdag")
    assert "om 13.30 uur, Doornik (tweetalig FR/NL) — volzet, wachtlijst mogelijk" in shown
    assert "Kortrijk" not in shown
    assert events == [SlotSet("session_options", [offered["tournai"].id])]


async def test_list_filtered_by_session_language(services: Services, offered: dict) -> None:
    tracker = make_tracker("une séance en français ?", slots={"language": "fr"})
    dispatcher, _ = await run(ActionListInfoSessions(services), tracker)
    assert len(dispatcher.messages[0]["buttons"]) == 3  # bilingual sessions count too
    tracker = make_tracker("seulement les séances bilingues", slots={"language": "fr"})
    dispatcher, _ = await run(ActionListInfoSessions(services), tracker)
    assert len(dispatcher.messages[0]["buttons"]) == 2


async def test_list_with_nothing_matching_says_so_then_shows_all(
    services: Services, offered: dict
) -> None:
    tracker = make_tracker("des séances sur l'égalité femmes-hommes ?", slots={"language": "fr"})
    dispatcher, _ = await run(ActionListInfoSessions(services), tracker)
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_info_sessions_no_match",
        "utter_info_sessions",
    ]
    assert len(dispatcher.messages[1]["buttons"]) == 3


async def test_list_without_sessions(services: Services) -> None:
    dispatcher, events = await run(ActionListInfoSessions(services), make_tracker("séances ?"))
    assert dispatcher.messages[0]["response"] == "utter_no_info_sessions"
    assert events == [SlotSet("session_options", None)]


async def test_list_asked_while_the_form_asks_for_the_session_only_narrows_the_choice(
    services: Services, offered: dict
) -> None:
    tracker = make_tracker("et à Tournai ?", "list_info_sessions", active_loop="info_session_form",
                           slots={"language": "fr", "requested_slot": "session_id"})  # fmt: skip
    dispatcher, events = await run(ActionListInfoSessions(services), tracker)
    assert dispatcher.messages == []
    assert events == [SlotSet("session_options", [offered["tournai"].id])]


# --- the booking form ---------------------------------------------------------------------


def _form_tracker(value: Any = None, slot: str = "session_id", **kwargs: Any) -> Tracker:
    slots = {"language": kwargs.pop("language", "fr"), "requested_slot": slot}
    slots.update(kwargs.pop("slots", {}))
    return make_tracker(
        kwargs.pop("text", str(value)),
        kwargs.pop("intent", "inform"),
        slots=slots,
        active_loop="info_session_form",
        **kwargs,
    )


async def validate(services: Services, slot: str, value: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    tracker = _form_tracker(value, slot, **kwargs)
    method = getattr(ValidateInfoSessionForm(services), f"validate_{slot}")
    result = method(value, dispatcher, tracker, FORM_DOMAIN)
    if hasattr(result, "__await__"):
        result = await result
    return dispatcher, result


def _button(session_id: int) -> dict[str, Any]:
    """What a session button sends: its payload as the text, the database id as entity."""
    return {
        "text": f'/inform{{"session_id": "{session_id}"}}',
        "entities": [{"entity": "session_id", "value": str(session_id)}],
    }


async def test_session_chosen_by_button_is_confirmed(services: Services, offered: dict) -> None:
    session = offered["kortrijk"]
    dispatcher, result = await validate(
        services, "session_id", str(session.id), language="nl", **_button(session.id)
    )
    assert result == {"session_id": str(session.id), "waitlist_consent": NOT_NEEDED,
                      "session_options": None}  # fmt: skip
    [message] = dispatcher.messages
    assert message["response"] == "utter_session_selected"
    assert "Kortrijk" in rendered(message, "nl") and "nog 10 plaatsen vrij" in rendered(
        message, "nl"
    )


async def test_full_session_asks_for_the_waiting_list(services: Services, offered: dict) -> None:
    tournai = offered["tournai"].id
    _, result = await validate(services, "session_id", str(tournai), **_button(tournai))
    assert result["waitlist_consent"] is None and result["session_id"] == str(offered["tournai"].id)


@pytest.mark.parametrize(
    ("said", "language", "place"),
    [
        ("celle de Kortrijk mardi", "fr", "kortrijk"),
        ("die in Kortrijk op dinsdag", "nl", "kortrijk"),
        ("celle de Lille", "fr", "lille"),
        ("die in Rijsel", "nl", "lille"),
        ("la 2", "fr", "tournai"),
    ],
)
async def test_session_understood_from_text(
    services: Services, offered: dict, said: str, language: str, place: str
) -> None:
    options = [offered[p].id for p in ("kortrijk", "tournai", "lille")]
    _, result = await validate(
        services, "session_id", said, language=language, slots={"session_options": options}
    )
    assert result["session_id"] == str(offered[place].id)


# After "not the waiting list" the list shown is Kortrijk then Lille (database ids 1 and 3):
# a number read as an id would book another session, "2" the full Tournai (issue 21, item 1).


@pytest.mark.parametrize(
    ("said", "language", "place"),
    [("1", "fr", "kortrijk"), ("2", "nl", "lille"), ("de 2de", "nl", "lille"),
     ("la première", "fr", "kortrijk"), ("de tweede", "nl", "lille"),
     ("la deuxième svp", "fr", "lille"), ("die in Rijsel", "nl", "lille")],
)  # fmt: skip
async def test_typed_number_picks_from_the_list_shown_never_the_database_id(
    services: Services, offered: dict, said: str, language: str, place: str
) -> None:
    ask_tracker = _form_tracker(slots={"waitlist_consent": False}, language=language)
    _, [shown_event] = await run(ActionAskSessionId(services), ask_tracker)
    shown = shown_event["value"]
    assert shown == [offered["kortrijk"].id, offered["lille"].id]  # in the order shown
    dispatcher, result = await validate(
        services, "session_id", said, language=language, slots={"session_options": shown}
    )
    assert result["session_id"] == str(offered[place].id)
    details = rendered(dispatcher.messages[0], language)
    assert offered[place].title(language) in details


async def test_number_beyond_the_list_shown_is_explained_not_read_as_an_id(
    services: Services, offered: dict
) -> None:
    shown = [offered["kortrijk"].id, offered["tournai"].id]
    # "3" is Lille's database id: it must not be booked.
    for said, language in (("3", "fr"), ("de 3de", "nl")):
        dispatcher, result = await validate(
            services, "session_id", said, language=language, slots={"session_options": shown}
        )
        assert result["session_id"] is None
        assert dispatcher.messages[0]["text"] == text(language, "sessions.not_in_list").format(
            number=3, count=2
        )


async def test_number_with_no_list_shown_asks_rather_than_guessing(
    services: Services, offered: dict
) -> None:
    dispatcher, result = await validate(services, "session_id", "2")
    assert result["session_id"] is None
    assert dispatcher.messages[0]["text"] == text("fr", "sessions.session_not_found")


async def test_number_typed_right_after_the_list_starts_the_form_with_that_session(
    services: Services, offered: dict
) -> None:
    listed = make_tracker("quelles séances à Lille ou Courtrai ?", "list_info_sessions",
                          slots={"language": "fr"})  # fmt: skip
    _, events = await run(ActionListInfoSessions(services), listed)
    [options] = [e["value"] for e in events if e["name"] == "session_options"]
    assert options == [offered["kortrijk"].id, offered["lille"].id]
    tracker = make_tracker("2", "inform", slots={"language": "fr", "session_options": options},
                           active_loop="info_session_form")  # fmt: skip
    extracted = await ValidateInfoSessionForm(services).extract_session_id(
        CollectingDispatcher(), tracker, FORM_DOMAIN
    )
    assert extracted == {"session_id": "2"}
    _, result = await validate(services, "session_id", "2", slots={"session_options": options})
    assert result["session_id"] == str(offered["lille"].id)


async def test_consent_question_repeats_title_date_and_town_before_anything_is_stored(
    engine: Engine, services: Services, offered: dict
) -> None:
    lille = offered["lille"]
    slots = {"session_id": str(lille.id), "candidate_name": "Léa Moreau",
             "candidate_email": "lea.moreau@example.org", "language": "nl"}  # fmt: skip
    tracker = _form_tracker(slot="booking_consent", slots=slots, language="nl")
    dispatcher, _ = await run(ActionAskBookingConsent(services), tracker)
    recap, question = dispatcher.messages
    assert lille.title("nl") in recap["text"] and "Rijsel" in recap["text"]
    assert sessions_texts.format_datetime(lille.starts_at, "nl") in recap["text"]
    assert "Léa Moreau" in recap["text"] and "lea.moreau@example.org" in recap["text"]
    assert question["response"] == "utter_ask_booking_consent"
    with db.transaction(engine) as conn:
        assert sessions.get_session(conn, lille.id).seats_left == lille.capacity


async def test_ambiguous_text_narrows_the_choice(services: Services, offered: dict) -> None:
    dispatcher, result = await validate(services, "session_id", "celle à Courtrai ou Tournai")
    assert result["session_id"] is None
    assert result["session_options"] == [offered["kortrijk"].id, offered["tournai"].id]
    assert dispatcher.messages[0]["text"] == text("fr", "sessions.session_ambiguous")


async def test_unknown_session_is_explained_and_third_failure_offers_a_consultant(
    services: Services, offered: dict
) -> None:
    attempts: dict = {}
    for n in range(1, 4):
        dispatcher, result = await validate(
            services, "session_id", "celle de Maubeuge samedi", language="nl",
            slots={"booking_attempts": attempts},
        )  # fmt: skip
        attempts = result["booking_attempts"]
        assert result["session_id"] is None and attempts["session_id"] == n
        assert dispatcher.messages[0]["text"] == text("nl", "sessions.session_not_found")
    assert dispatcher.messages[-1]["response"] == "utter_offer_consultant"
    assert dispatcher.messages[-1].get("buttons") in (None, [])  # buttons come from the domain
    assert [b["payload"] for b in RESPONSES["utter_offer_consultant"][1]["buttons"]] == [
        "/ask_human"
    ]


async def test_session_closed_since_the_list_is_explained(
    engine: Engine, services: Services
) -> None:
    with db.transaction(engine) as conn:
        closed = make_info_session(conn, starts_at=in_days(2), registration_deadline=in_days(-1))
    dispatcher, result = await validate(
        services, "session_id", str(closed.id), **_button(closed.id)
    )
    assert result["session_id"] is None
    assert dispatcher.messages[0]["text"] == text("fr", "sessions.closed.deadline")


async def test_form_started_with_a_session_in_the_request(
    services: Services, offered: dict
) -> None:
    tracker = make_tracker("je veux m'inscrire à celle de Tournai", "book_info_session",
                           slots={"language": "fr"}, active_loop="info_session_form")  # fmt: skip
    extracted = await ValidateInfoSessionForm(services).extract_session_id(
        CollectingDispatcher(), tracker, FORM_DOMAIN
    )
    assert extracted == {"session_id": "je veux m'inscrire à celle de Tournai"}
    plain = make_tracker("je veux m'inscrire", "book_info_session", slots={"language": "fr"})
    assert (
        await ValidateInfoSessionForm(services).extract_session_id(
            CollectingDispatcher(), plain, FORM_DOMAIN
        )
        == {}
    )


async def test_whole_validation_run_fills_the_session_and_asks_nothing_itself(
    services: Services, offered: dict
) -> None:
    events = [{"event": "slot", "name": "session_id", "value": "celle de Lille"}]
    tracker = _form_tracker("celle de Lille", events=events)
    dispatcher, result = await run(ValidateInfoSessionForm(services), tracker)
    assert SlotSet("session_id", str(offered["lille"].id)) in result
    assert SlotSet("waitlist_consent", NOT_NEEDED) in result
    assert [m["response"] for m in dispatcher.messages] == ["utter_session_selected"]


@pytest.mark.parametrize(
    ("value", "expected"), [(True, True), (False, False), (NOT_NEEDED, NOT_NEEDED)]
)
async def test_waiting_list_answer(services: Services, value: Any, expected: Any) -> None:
    dispatcher, result = await validate(services, "waitlist_consent", value)
    assert result["waitlist_consent"] == expected
    if value is False:
        assert result["session_id"] is None
        assert dispatcher.messages[0]["response"] == "utter_waitlist_declined"


async def test_name_is_checked_and_explained_in_the_users_language(services: Services) -> None:
    _, result = await validate(services, "candidate_name", "ik ben Els Vermeulen", language="nl")
    assert result == {"candidate_name": "Els Vermeulen"}
    dispatcher, result = await validate(services, "candidate_name", "Els", language="nl")
    assert result["candidate_name"] is None
    assert dispatcher.messages[0]["text"] == text("nl", "invalid.name.first_and_last_name")
    _, result = await validate(services, "candidate_name", "je veux m'inscrire",
                               intent="book_info_session")  # fmt: skip
    assert result["candidate_name"] is None


async def test_email_typo_is_pointed_out_then_accepted_when_sent_again(services: Services) -> None:
    dispatcher, result = await validate(services, "candidate_email", "Jan.Peeters@gmial.com")
    assert result["candidate_email"] is None
    assert "jan.peeters@gmail.com" in dispatcher.messages[0]["text"]
    attempts = result["booking_attempts"]
    _, again = await validate(services, "candidate_email", "jan.peeters@gmial.com",
                              slots={"booking_attempts": attempts})  # fmt: skip
    assert again == {"candidate_email": "jan.peeters@gmial.com"}


async def test_wrong_email_gets_the_precise_reason(services: Services) -> None:
    dispatcher, result = await validate(services, "candidate_email", "jan.peeters.telenet.be",
                                        language="nl")  # fmt: skip
    assert result["candidate_email"] is None
    assert dispatcher.messages[0]["text"] == text("nl", "invalid.email.missing_at")


@pytest.mark.parametrize(
    ("said", "intent", "stored"),
    [("pas de téléphone", "inform", NO_PHONE), ("geen gsm", "inform", NO_PHONE),
     ("nan", "deny", NO_PHONE), ("/deny", "deny", NO_PHONE),
     ("0470/12.34.56", "inform", "+32470123456"), ("+33 6 12 34 56 78", "inform", "+33612345678")],
)  # fmt: skip
async def test_phone_is_optional_and_normalised(
    services: Services, said: str, intent: str, stored: str
) -> None:
    _, result = await validate(services, "candidate_phone", said, intent=intent)
    assert result == {"candidate_phone": stored}


async def test_foreign_phone_is_refused_with_its_reason(services: Services) -> None:
    dispatcher, result = await validate(services, "candidate_phone", "+31 6 12345678")
    assert result["candidate_phone"] is None
    assert dispatcher.messages[0]["text"] == text("fr", "invalid.phone.unsupported_country")


async def test_consent_yes_no_or_explained(services: Services) -> None:
    assert (await validate(services, "booking_consent", True))[1] == {"booking_consent": True}
    refused = (await validate(services, "booking_consent", False))[1]
    assert refused == {"booking_consent": False, "requested_slot": None}  # the form ends
    dispatcher, unclear = await validate(services, "booking_consent", "peut-être")
    assert unclear["booking_consent"] is None
    assert dispatcher.messages[0]["text"] == text("fr", "sessions.yes_no")


async def test_ask_for_the_session_offers_buttons_of_the_options(
    services: Services, offered: dict
) -> None:
    tracker = _form_tracker(slots={"session_options": [offered["lille"].id]}, language="nl")
    dispatcher, events = await run(ActionAskSessionId(services), tracker)
    [message] = dispatcher.messages
    assert message["response"] == "utter_ask_session_id"
    assert events == [SlotSet("session_options", [offered["lille"].id])]  # what was shown
    assert "Rijsel" in rendered(message, "nl")
    assert message["buttons"] == [
        {"title": message["buttons"][0]["title"],
         "payload": f'/inform{{"session_id": "{offered["lille"].id}"}}'}
    ]  # fmt: skip


async def test_ask_after_refusing_the_waiting_list_offers_sessions_with_seats(
    services: Services, offered: dict
) -> None:
    tracker = _form_tracker(slots={"waitlist_consent": False})
    dispatcher, _ = await run(ActionAskSessionId(services), tracker)
    payloads = " ".join(b["payload"] for b in dispatcher.messages[0]["buttons"])
    assert f'"{offered["tournai"].id}"' not in payloads


async def test_ask_with_no_session_left_ends_the_form(services: Services) -> None:
    dispatcher, events = await run(ActionAskSessionId(services), _form_tracker())
    assert dispatcher.messages[0]["response"] == "utter_no_info_sessions"
    assert events == [SlotSet("requested_slot", None), ActiveLoop(None)]


async def test_consent_question_links_the_privacy_notice(services: Services) -> None:
    dispatcher, _ = await run(ActionAskBookingConsent(services), _form_tracker(slot="x"))
    shown = rendered(dispatcher.messages[0], "fr")
    assert "https://emploi.example.be/privacy" in shown and shown.endswith("Êtes-vous d'accord ?")


# --- storing the booking ------------------------------------------------------------------

PERSONAL = ("candidate_name", "candidate_email", "candidate_phone", "booking_consent")


def _completed(session_id: int, message_id: str = "msg-1", **slots: Any) -> Tracker:
    values = {
        "language": "fr",
        "session_id": str(session_id),
        "waitlist_consent": NOT_NEEDED,
        "candidate_name": "Marie Dupont",
        "candidate_email": "marie.dupont@exemple.fr",
        "candidate_phone": "+32470123456",
        "booking_consent": True,
        **slots,
    }
    return make_tracker("oui", "affirm", slots=values, message_id=message_id, sender_id="web-42")


async def test_completed_form_books_confirms_and_forgets_personal_data(
    engine: Engine, services: Services, offered: dict
) -> None:
    session = offered["kortrijk"]
    dispatcher, events = await run(ActionBookInfoSession(services), _completed(session.id))
    [message] = dispatcher.messages
    assert message["response"] == "utter_booking_confirmed"
    reference = message["reference"]
    shown = rendered(message, "fr")
    assert f"Votre référence : {reference}." in shown
    assert f"https://emploi.example.be/ics/{reference}.ics" in shown
    assert "VDAB Kortrijk (adresse à confirmer)" in shown and "de 09:30 à 11:30" in shown
    for slot in PERSONAL + ("session_id", "booking_attempts"):
        assert SlotSet(slot, None) in events
    with db.transaction(engine) as conn:
        booking = sessions.find_booking(conn, reference)
    assert (booking.sender_id, booking.message_id, booking.phone) == ("web-42", "msg-1",
                                                                      "+32470123456")  # fmt: skip
    assert booking.confirmed and booking.language == "fr"


async def test_same_message_twice_books_once_with_the_same_answer(
    engine: Engine, services: Services, offered: dict
) -> None:
    session = offered["kortrijk"]
    first, _ = await run(ActionBookInfoSession(services), _completed(session.id))
    again, _ = await run(ActionBookInfoSession(services), _completed(session.id))
    assert first.messages == again.messages
    with db.transaction(engine) as conn:
        assert sessions.get_session(conn, session.id).seats_taken == 1


async def test_same_email_from_another_message_gets_the_existing_booking(
    services: Services, offered: dict
) -> None:
    session = offered["kortrijk"]
    first, _ = await run(ActionBookInfoSession(services), _completed(session.id))
    again, _ = await run(ActionBookInfoSession(services), _completed(session.id, "msg-2"))
    assert [m["response"] for m in again.messages] == [
        "utter_booking_existing",
        "utter_booking_confirmed",
    ]
    assert again.messages[1]["reference"] == first.messages[0]["reference"]


async def test_full_session_books_on_the_waiting_list_with_a_reference(
    services: Services, offered: dict
) -> None:
    tracker = _completed(offered["tournai"].id, waitlist_consent=True, language="nl")
    dispatcher, _ = await run(ActionBookInfoSession(services), tracker)
    [message] = dispatcher.messages
    assert message["response"] == "utter_booking_waitlisted" and message["position"] == 1
    shown = rendered(message, "nl")
    assert "je staat op de wachtlijst, op plaats 1" in shown
    assert f"typ 'annuleer {message['reference']}'" in shown


async def test_refused_consent_stores_nothing(
    engine: Engine, services: Services, offered: dict
) -> None:
    tracker = _completed(offered["kortrijk"].id, booking_consent=False)
    dispatcher, events = await run(ActionBookInfoSession(services), tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_booking_no_consent"]
    assert SlotSet("candidate_email", None) in events
    with db.transaction(engine) as conn:
        assert sessions.attendees(conn, offered["kortrijk"].id) == []


async def test_registration_closed_meanwhile_is_explained(
    engine: Engine, services: Services
) -> None:
    with db.transaction(engine) as conn:
        closed = make_info_session(conn, starts_at=in_days(2), registration_deadline=in_days(-1))
    dispatcher, events = await run(ActionBookInfoSession(services), _completed(closed.id))
    assert dispatcher.messages[0]["text"] == text("fr", "sessions.closed.deadline")
    assert dispatcher.messages[1]["response"] == "utter_booking_choose_another"
    assert SlotSet("candidate_name", None) in events


async def test_stopping_the_form_forgets_everything(services: Services) -> None:
    dispatcher, events = await run(ActionResetBookingForm(), _completed(1))
    assert dispatcher.messages[0]["response"] == "utter_booking_stopped"
    assert dispatcher.messages[1]["text"] == text("fr", "forms.resume.booking")  # how to go on
    assert all(SlotSet(slot, None) in events for slot in PERSONAL)


async def test_database_work_runs_in_a_thread_not_on_the_event_loop(services: Services) -> None:
    ident = await UsesServices(services).blocking(threading.get_ident)
    assert ident != threading.get_ident()


# --- cancellation -------------------------------------------------------------------------


def _book(engine: Engine, session: sessions.InfoSession, **fields: Any) -> sessions.Booking:
    with db.transaction(engine) as conn:
        return sessions.book(conn, session.id, **booking_fields(**fields)).booking


def _cancel_tracker(value: Any = None, slot: str = "booking_reference", **slots: Any) -> Tracker:
    values = {"language": slots.pop("language", "fr"), "requested_slot": slot, **slots}
    return make_tracker(str(value), "inform", slots=values, active_loop="cancel_booking_form")


def _answered(reference: str, confirmed: bool, said: str, intent: str, language: str) -> Tracker:
    slots = {"language": language, "booking_reference": reference, "cancel_confirmed": confirmed}
    return make_tracker(said, intent, slots=slots)


async def validate_cancel(services: Services, slot: str, value: Any, **slots: Any):  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    method = getattr(ValidateCancelBookingForm(services), f"validate_{slot}")
    result = method(value, dispatcher, _cancel_tracker(value, slot, **slots), FORM_DOMAIN)
    if hasattr(result, "__await__"):
        result = await result
    return dispatcher, result


async def test_reference_is_read_in_any_case_without_dash(
    engine: Engine, services: Services, offered: dict
) -> None:
    booking = _book(engine, offered["kortrijk"])
    typed = booking.reference.lower().replace("-", " ")
    dispatcher, result = await validate_cancel(services, "booking_reference", typed)
    assert result == {"booking_reference": booking.reference} and dispatcher.messages == []


async def test_reference_in_the_request_is_extracted(services: Services) -> None:
    tracker = make_tracker("je veux annuler ma réservation k7p2qx9m", "cancel_booking")
    extracted = ValidateCancelBookingForm(services).extract_booking_reference(
        CollectingDispatcher(), tracker, FORM_DOMAIN
    )
    assert extracted == {"booking_reference": "K7P2-QX9M"}


async def test_reference_in_the_text_wins_over_an_entity_cut_inside_a_word(
    engine: Engine, services: Services, offered: dict
) -> None:
    """A model trained before the regex had its look-arounds found "uler P3QR" in "annuler P3QR"."""
    booking = _book(engine, offered["kortrijk"])
    said = f"merci d'annuler {booking.reference}"
    tracker = make_tracker(
        said, "cancel_booking", slots={"language": "fr", "requested_slot": "booking_reference"},
        active_loop="cancel_booking_form",
    )  # fmt: skip
    cut = said[len("merci d'ann") : len("merci d'ann") + 9]
    dispatcher = CollectingDispatcher()
    result = await ValidateCancelBookingForm(services).validate_booking_reference(
        cut, dispatcher, tracker, FORM_DOMAIN
    )
    assert result == {"booking_reference": booking.reference} and dispatcher.messages == []


@pytest.mark.parametrize(
    ("typed", "key"),
    [("K7P2QX", "invalid.reference.format"), ("KOP2-QX9M", "invalid.reference.format"),
     ("ZZZZ-2222", "invalid.reference.unknown")],
)  # fmt: skip
async def test_wrong_reference_is_explained(services: Services, typed: str, key: str) -> None:
    dispatcher, result = await validate_cancel(services, "booking_reference", typed, language="nl")
    assert result["booking_reference"] is None and result["cancel_attempts"] == {
        "booking_reference": 1
    }
    assert dispatcher.messages[0]["text"] == text("nl", key).format(reference="ZZZZ-2222")


async def test_already_cancelled_booking_ends_the_form(
    engine: Engine, services: Services, offered: dict
) -> None:
    booking = _book(engine, offered["kortrijk"])
    with db.transaction(engine) as conn:
        sessions.cancel(conn, booking.reference)
    dispatcher, result = await validate_cancel(services, "booking_reference", booking.reference)
    assert result == {"booking_reference": None, "requested_slot": None}
    assert rendered(dispatcher.messages[0], "fr").startswith(f"L'inscription {booking.reference}")


async def test_cancellation_is_confirmed_first(
    engine: Engine, services: Services, offered: dict
) -> None:
    booking = _book(engine, offered["lille"])
    tracker = _cancel_tracker(slot="cancel_confirmed", booking_reference=booking.reference,
                              language="nl")  # fmt: skip
    dispatcher, _ = await run(ActionAskCancelConfirmed(services), tracker)
    shown = rendered(dispatcher.messages[0], "nl")
    assert shown.startswith(f"Wil je je inschrijving {booking.reference} voor 'Workshop cv")
    assert [b["payload"] for b in RESPONSES["utter_ask_cancel_confirmed"][1]["buttons"]] == [
        "/affirm",
        "/deny",
    ]


async def test_confirmed_cancellation_frees_the_seat_for_the_waiting_list(
    engine: Engine, services: Services, offered: dict
) -> None:
    tournai = offered["tournai"]
    with db.transaction(engine) as conn:
        [seated] = sessions.attendees(conn, tournai.id)
    waiting = _book(engine, tournai)
    tracker = _answered(seated.reference, True, "oui", "affirm", "fr")
    dispatcher, events = await run(ActionCancelBooking(services), tracker)
    assert dispatcher.messages[0]["response"] == "utter_booking_cancelled"
    assert "votre place revient" in rendered(dispatcher.messages[0], "fr")
    assert SlotSet("booking_reference", None) in events
    with db.transaction(engine) as conn:
        assert sessions.find_booking(conn, seated.reference).cancelled
        assert sessions.find_booking(conn, waiting.reference).confirmed


async def test_leaving_the_waiting_list(engine: Engine, services: Services, offered: dict) -> None:
    waiting = _book(engine, offered["tournai"])
    tracker = _answered(waiting.reference, True, "ja", "affirm", "nl")
    dispatcher, _ = await run(ActionCancelBooking(services), tracker)
    assert dispatcher.messages[0]["response"] == "utter_waitlist_left"
    assert "niet meer op de wachtlijst" in rendered(dispatcher.messages[0], "nl")


async def test_no_to_the_confirmation_keeps_the_booking(
    engine: Engine, services: Services, offered: dict
) -> None:
    booking = _book(engine, offered["kortrijk"])
    tracker = _answered(booking.reference, False, "non", "deny", "fr")
    dispatcher, _ = await run(ActionCancelBooking(services), tracker)
    assert dispatcher.messages[0]["response"] == "utter_booking_kept"
    with db.transaction(engine) as conn:
        assert sessions.find_booking(conn, booking.reference).confirmed


# --- inside the form: the answer first, then what else the message is (issue 21, items 2-3)


def _turn(
    said: str, intent: str, slot: str, *, mapped: bool, confidence: float = 0.9, **slots: Any
) -> Tracker:
    """The tracker the validation action gets: ``mapped`` when the domain's from_text
    mapping took the message (its intent is not excluded), as Rasa sends it."""
    values = {"language": "fr", "requested_slot": slot, **slots}
    events = []
    if mapped:
        values[slot] = said
        events = [{"event": "slot", "name": slot, "value": said}]
    return make_tracker(said, intent, slots=values, active_loop="info_session_form",
                        events=events, confidence=confidence)  # fmt: skip


def _set(events: list) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize(
    ("said", "intent", "confidence", "kept"),
    [("Léa Moreau", "deny", 0.30, "Léa Moreau"),
     ("Thomas Fournier", "goodbye", 0.45, "Thomas Fournier"),
     ("Thomas Fournier", "goodbye", 0.97, "Thomas Fournier"),
     ("Léa Moreau", "deny", 0.95, "Léa Moreau"),
     ("dat heb ik toch al gezegd: Jan Peeters", "cancel_booking", 0.6, "Jan Peeters"),
     ("je vous l'ai déjà dit, Marie-Claire d'Hondt", "faq", 0.5, "Marie-Claire d'Hondt"),
     ("mijn naam is Pieter Van den Broeck", "stop", 0.4, "Pieter Van den Broeck")],
)  # fmt: skip
async def test_a_name_that_validates_is_taken_whatever_the_intent(
    services: Services, said: str, intent: str, confidence: float, kept: str
) -> None:
    tracker = _turn(said, intent, "candidate_name", mapped=False, confidence=confidence)
    dispatcher, events = await run(ValidateInfoSessionForm(services), tracker)
    assert _set(events)["candidate_name"] == kept
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("said", "intent", "kind", "language"),
    [("merci", "thank", "thanks", "fr"), ("bedankt!", "thank", "thanks", "nl"),
     ("Bonjour", "greet", "greeting", "fr"), ("dat heb ik toch al gezegd", "inform",
     "complaint", "nl"), ("ok", "affirm", "small_talk", "fr")],
)  # fmt: skip
async def test_thanks_and_small_talk_are_acknowledged_and_the_question_asked_again(
    services: Services, said: str, intent: str, kind: str, language: str
) -> None:
    for slot in ("candidate_name", "candidate_email", "candidate_phone"):
        tracker = _turn(said, intent, slot, mapped=True, language=language)
        dispatcher, events = await run(ValidateInfoSessionForm(services), tracker)
        assert _set(events) == {slot: None}  # no failure counted, the form asks again
        assert [m["text"] for m in dispatcher.messages] == [text(language, f"forms.ack.{kind}")]


async def test_a_moment_or_a_question_is_never_stored_as_a_name(services: Services) -> None:
    tracker = _turn("plutôt le matin", "inform", "candidate_name", mapped=True)
    dispatcher, events = await run(ValidateInfoSessionForm(services), tracker)
    assert _set(events)["candidate_name"] is None
    assert dispatcher.messages[0]["text"] == text("fr", "invalid.name.not_a_name")
    # A question the classifier is sure of is left to its rule (the form is rejected).
    tracker = _turn("et les impôts ?", "faq", "candidate_name", mapped=False, confidence=0.95)
    dispatcher, events = await run(ValidateInfoSessionForm(services), tracker)
    assert _set(events) == {} and dispatcher.messages == []


async def test_stop_words_read_as_an_answer_stop_the_form_and_say_how_to_come_back(
    services: Services,
) -> None:
    slots = {"session_id": "1", "candidate_name": "Léa Moreau"}
    tracker = _turn("laat maar", "inform", "candidate_email", mapped=True, language="nl",
                    **slots)  # fmt: skip
    dispatcher, events = await run(ValidateInfoSessionForm(services), tracker)
    values = _set(events)
    assert values["requested_slot"] is None
    assert values["candidate_name"] is None and values["session_id"] is None  # nothing kept
    assert dispatcher.messages[0]["response"] == "utter_booking_stopped"
    assert dispatcher.messages[1]["text"] == text("nl", "forms.resume.booking")


async def test_everything_given_at_once_fills_every_slot_it_answers(
    services: Services, offered: dict
) -> None:
    said = ("Ik wil me inschrijven voor die in Kortrijk. Mijn naam is Jan De Smet, e-mail "
            "jan.desmet@telenet.be, gsm 0470 12 34 56")  # fmt: skip
    tracker = make_tracker(said, "book_info_session", slots={"language": "nl"},
                           active_loop="info_session_form")  # fmt: skip
    dispatcher, events = await run(ValidateInfoSessionForm(services), tracker)
    values = _set(events)
    assert values["session_id"] == str(offered["kortrijk"].id)
    assert values["candidate_name"] == "Jan De Smet"
    assert values["candidate_email"] == "jan.desmet@telenet.be"
    assert values["candidate_phone"] == "+32470123456"
    assert [m.get("response") for m in dispatcher.messages] == ["utter_session_selected"]


async def test_details_given_with_the_answer_asked_are_kept_too(services: Services) -> None:
    said = "Léa Moreau, lea.moreau@gmail.com, 06 12 34 56 78"
    tracker = _turn(said, "inform", "candidate_name", mapped=True)
    _, events = await run(ValidateInfoSessionForm(services), tracker)
    assert _set(events) == {"candidate_name": "Léa Moreau",
                            "candidate_email": "lea.moreau@gmail.com",
                            "candidate_phone": "+33612345678"}  # fmt: skip


@pytest.mark.parametrize(
    ("slot", "said", "intent", "language", "kind"),
    [("waitlist_consent", "merci", "thank", "fr", "thanks"),
     ("booking_consent", "bedankt", "thank", "nl", "thanks"),
     ("booking_consent", "euh", "inform", "fr", "small_talk")],
)  # fmt: skip
async def test_yes_no_questions_acknowledge_thanks_and_ask_again(
    services: Services, slot: str, said: str, intent: str, language: str, kind: str
) -> None:
    dispatcher, result = await validate(services, slot, said, intent=intent, language=language)
    assert result == {slot: None}  # no failure counted
    assert [m["text"] for m in dispatcher.messages] == [text(language, f"forms.ack.{kind}")]


@pytest.mark.parametrize(("slot", "said"), [("booking_reference", "merci"),
                                             ("cancel_confirmed", "bedankt")])  # fmt: skip
async def test_the_cancellation_acknowledges_thanks_and_asks_again(
    services: Services, slot: str, said: str
) -> None:
    tracker = make_tracker(said, "thank", slots={"language": "nl", "requested_slot": slot},
                           active_loop="cancel_booking_form")  # fmt: skip
    dispatcher = CollectingDispatcher()
    method = getattr(ValidateCancelBookingForm(services), f"validate_{slot}")
    result = method(said, dispatcher, tracker, FORM_DOMAIN)
    if hasattr(result, "__await__"):
        result = await result
    assert result == {slot: None}
    assert [m["text"] for m in dispatcher.messages] == [text("nl", "forms.ack.thanks")]


async def test_a_phone_number_given_with_the_session_is_not_read_as_a_date(
    services: Services, offered: dict
) -> None:
    said = "Inscrivez-moi à celle de Lille. Léa Moreau, lea@gmail.com, tel 0470/12.34.56"
    tracker = make_tracker(said, "book_info_session", slots={"language": "fr"},
                           active_loop="info_session_form")  # fmt: skip
    _, events = await run(ValidateInfoSessionForm(services), tracker)
    values = _set(events)
    assert values["session_id"] == str(offered["lille"].id)
    assert values["candidate_phone"] == "+32470123456"
    assert values["candidate_email"] == "lea@gmail.com"


@pytest.mark.parametrize(
    ("said", "language", "requested", "place"),
    [("ah non attendez, plutot la 3", "fr", "waitlist_consent", "lille"),
     ("nee wacht, toch liever de 1ste", "nl", "candidate_name", "kortrijk"),
     ("finalement plutôt celle de Kortrijk", "fr", "candidate_email", "kortrijk")],
)  # fmt: skip
async def test_a_change_of_mind_at_a_later_question_chooses_again_from_the_list_shown(
    services: Services, offered: dict, said: str, language: str, requested: str, place: str
) -> None:
    """The list shown is in the conversation's events (the slot was cleared on the choice);
    the question asked takes nothing from the message."""
    shown = [offered[p].id for p in ("kortrijk", "tournai", "lille")]
    listed = {"event": "slot", "name": "session_options", "value": shown}
    tracker = make_tracker(
        said, "inform", active_loop="info_session_form", history=[listed],
        slots={"language": language, "requested_slot": requested,
               "session_id": str(offered["tournai"].id), requested: said},
    )  # fmt: skip
    dispatcher, events = await run(ValidateInfoSessionForm(services), tracker)
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["session_id"] == str(offered[place].id)
    assert slots["waitlist_consent"] == NOT_NEEDED  # Kortrijk and Lille have seats
    if requested != "waitlist_consent":
        assert slots[requested] is None
    [message] = dispatcher.messages
    assert message["response"] == "utter_session_selected"


@pytest.mark.parametrize("said", ["Marie Dupont", "non", "la 3", "Non Plutot"])
async def test_an_answer_without_a_change_of_mind_keeps_the_session(
    services: Services, offered: dict, said: str
) -> None:
    shown = [offered[p].id for p in ("kortrijk", "tournai", "lille")]
    listed = {"event": "slot", "name": "session_options", "value": shown}
    tracker = make_tracker(
        said, "inform", active_loop="info_session_form", history=[listed],
        slots={"language": "fr", "requested_slot": "candidate_name",
               "session_id": str(offered["tournai"].id), "candidate_name": said},
    )  # fmt: skip
    _, events = await run(ValidateInfoSessionForm(services), tracker)
    assert "session_id" not in {e["name"] for e in events if e["event"] == "slot"}
