"""Information sessions in the conversation: the list, and the booking form (thin adapters).

The rules (seats, waiting list, references, validation) live in bot/; these actions read
slots, call one bot function in a thread, and answer with a response of domain/sessions.yml
or a catalog text. The form's personal slots (name, e-mail, phone, consent) never influence
the dialogue and are cleared as soon as the booking is stored, or the form stopped.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions._base import Services, UsesServices, language_of, latest_text
from bot import contact, sessions
from bot.config import privacy_url
from bot.errors import (
    BookingLimitReached,
    InvalidContact,
    InvalidName,
    RegistrationClosed,
    SessionNotFound,
)
from bot.messages import text
from bot.sessions import mail as session_mail
from bot.sessions import search as session_search
from bot.sessions import texts as session_texts
from bot.storage.db import transaction

log = logging.getLogger(__name__)

FORM = "info_session_form"
MAX_SHOWN = 6
FAILURES_BEFORE_CONSULTANT = 3
NO_PHONE = "-"
NOT_NEEDED = "not_needed"  # waitlist_consent of a session that still has seats
FORM_SLOTS = (
    "session_id",
    "waitlist_consent",
    "candidate_name",
    "candidate_email",
    "candidate_phone",
    "booking_consent",
    "session_options",
    "booking_attempts",
)
# Requests that the booking form does not take as an answer (they have rules of their own).
_OTHER_REQUESTS = {"book_info_session", "list_info_sessions", "cancel_booking"}


# --- reading the database (run in a thread) -----------------------------------------------


def bookable_sessions(
    services: Services, only_available: bool = False
) -> list[sessions.InfoSession]:
    with transaction(services.engine) as conn:
        return sessions.upcoming_sessions(conn, only_available=only_available)


def session_or_none(services: Services, session_id: int) -> sessions.InfoSession | None:
    with transaction(services.engine) as conn:
        try:
            return sessions.get_session(conn, session_id)
        except SessionNotFound:
            return None


# --- shared helpers -----------------------------------------------------------------------


def session_lines(found: list[sessions.InfoSession], language: str) -> str:
    return "\n".join(
        session_texts.session_line(n, s, language) for n, s in enumerate(found, start=1)
    )


def session_buttons(
    found: list[sessions.InfoSession], language: str, intent: str
) -> list[dict[str, str]]:
    return [
        {
            "title": session_texts.session_button_title(n, s, language),
            "payload": f"/{intent}{json.dumps({'session_id': str(s.id)})}",
        }
        for n, s in enumerate(found, start=1)
    ]


def is_payload(value: Any) -> bool:
    """True for the text of a button payload ("/inform{...}"), which answers nothing typed."""
    return isinstance(value, str) and value.startswith("/")


def reset_booking() -> list[dict[str, Any]]:
    """Forget everything the booking form collected."""
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


def failed(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    slot: str,
    explanation: str,
    attempts_slot: str = "booking_attempts",
) -> dict[str, Any]:
    """Explain what is wrong, count the failure, offer a consultant every third time."""
    attempts = dict(tracker.get_slot(attempts_slot) or {})
    attempts[slot] = int(attempts.get(slot, 0)) + 1
    dispatcher.utter_message(text=explanation, language=language_of(tracker))
    if attempts[slot] % FAILURES_BEFORE_CONSULTANT == 0:
        dispatcher.utter_message(response="utter_offer_consultant")
    return {slot: None, attempts_slot: attempts}


def yes_no(value: Any) -> bool | None:
    """True or False for the affirm/deny mappings; None for free text."""
    return value if isinstance(value, bool) else None


# --- the list -----------------------------------------------------------------------------


class ActionListInfoSessions(UsesServices, Action):
    """The upcoming sessions with seats left, filtered by what the message asks."""

    def name(self) -> str:
        return "action_list_info_sessions"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = language_of(tracker)
        offered = await self.blocking(bookable_sessions, self.services)
        if not offered:
            dispatcher.utter_message(response="utter_no_info_sessions")
            return [SlotSet("session_options", None)]
        message = latest_text(tracker)
        filters = session_search.read_filters(message, offered)
        found = session_search.apply_filters(offered, filters)
        if tracker.active_loop_name == FORM and tracker.get_slot("requested_slot") == "session_id":
            # The form asks again right after this, with these sessions as its buttons.
            return [SlotSet("session_options", [s.id for s in (found or offered)[:MAX_SHOWN]])]
        if not found:
            dispatcher.utter_message(response="utter_info_sessions_no_match")
            found = offered
        shown = found[:MAX_SHOWN]
        listing = session_lines(shown, language)
        if len(found) > len(shown):
            more = text(language, "sessions.more").format(count=len(found) - len(shown))
            listing = f"{listing}\n{more}"
        dispatcher.utter_message(
            response="utter_info_sessions",
            sessions=listing,
            buttons=session_buttons(shown, language, "book_info_session"),
        )
        return [SlotSet("session_options", [s.id for s in shown])]


# --- the booking form ---------------------------------------------------------------------


class ActionAskSessionId(UsesServices, Action):
    """Asks which session, with the sessions offered as buttons (or ends: none left)."""

    def name(self) -> str:
        return "action_ask_session_id"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = language_of(tracker)
        # After "not the waiting list", only sessions with seats are offered.
        only_available = tracker.get_slot("waitlist_consent") is False
        offered = await self.blocking(bookable_sessions, self.services, only_available)
        options = tracker.get_slot("session_options") or []
        chosen = [s for s in offered if s.id in options] or offered
        if not chosen:
            dispatcher.utter_message(
                response="utter_no_other_session" if options else "utter_no_info_sessions"
            )
            return [SlotSet("requested_slot", None), ActiveLoop(None)]
        shown = chosen[:MAX_SHOWN]
        dispatcher.utter_message(
            response="utter_ask_session_id",
            sessions=session_lines(shown, language),
            buttons=session_buttons(shown, language, "inform"),
        )
        return []


class ActionAskBookingConsent(UsesServices, Action):
    """Asks for explicit consent, with the link to the privacy notice."""

    def name(self) -> str:
        return "action_ask_booking_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        url = privacy_url(self.services.settings.public_url)
        dispatcher.utter_message(response="utter_ask_booking_consent", privacy_url=url)
        return []


class ValidateInfoSessionForm(UsesServices, FormValidationAction):
    """Checks each answer of the booking form and explains what is wrong."""

    def name(self) -> str:
        return f"validate_{FORM}"

    async def extract_session_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """At activation, take the request itself ("je veux m'inscrire à celle de Tournai")
        as the answer when it names a session; ``validate_session_id`` reads it."""
        message = latest_text(tracker)
        starting = tracker.get_slot("requested_slot") is None
        if not starting or tracker.get_slot("session_id") or is_payload(message):
            return {}
        offered = await self.blocking(bookable_sessions, self.services)
        if session_search.match_sessions(message, offered) is None:
            return {}
        return {"session_id": message}

    async def validate_session_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        language = language_of(tracker)
        offered = await self.blocking(bookable_sessions, self.services)
        if str(value).isdigit():
            chosen = next((s for s in offered if s.id == int(value)), None)
            if chosen is None:
                return await self._unavailable(dispatcher, tracker, int(value), language)
        elif is_payload(value):
            return {"session_id": None}
        else:
            options = tracker.get_slot("session_options") or []
            shown = [s for s in offered if s.id in options] or offered
            found = session_search.match_sessions(str(value), shown)
            if not found and shown is not offered:
                found = session_search.match_sessions(str(value), offered)
            if not found:
                explanation = text(language, "sessions.session_not_found")
                return failed(dispatcher, tracker, "session_id", explanation)
            if len(found) > 1:
                dispatcher.utter_message(
                    text=text(language, "sessions.session_ambiguous"), language=language
                )
                return {"session_id": None, "session_options": [s.id for s in found]}
            chosen = found[0]
        dispatcher.utter_message(
            response="utter_session_selected", **session_texts.session_details(chosen, language)
        )
        return {
            "session_id": str(chosen.id),
            "waitlist_consent": None if chosen.seats_left == 0 else NOT_NEEDED,
            "session_options": None,
        }

    async def _unavailable(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, session_id: int, language: str
    ) -> dict[str, Any]:
        """A session chosen by button that no longer takes bookings: say why."""
        session = await self.blocking(session_or_none, self.services, session_id)
        reason = session.closed_reason(self.services.now()) if session else None
        key = f"sessions.closed.{reason}" if reason else "sessions.session_not_found"
        return failed(dispatcher, tracker, "session_id", text(language, key))

    def validate_waitlist_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if value == NOT_NEEDED or value is True:
            return {"waitlist_consent": value}
        if value is False:
            dispatcher.utter_message(response="utter_waitlist_declined")
            return {"waitlist_consent": False, "session_id": None, "session_options": None}
        return failed(
            dispatcher, tracker, "waitlist_consent", text(language_of(tracker), "sessions.yes_no")
        )

    def validate_candidate_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if is_payload(value):
            return {"candidate_name": None}
        language = language_of(tracker)
        try:
            if tracker.get_intent_of_latest_message() in _OTHER_REQUESTS:
                raise InvalidName("first_and_last_name")
            return {"candidate_name": contact.normalise_name(str(value))}
        except InvalidContact as error:
            explanation = text(language, f"invalid.name.{error.reason}")
            return failed(dispatcher, tracker, "candidate_name", explanation)

    def validate_candidate_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if is_payload(value):
            return {"candidate_email": None}
        attempts = tracker.get_slot("booking_attempts") or {}
        try:
            address = contact.normalise_email(str(value), confirmed=attempts.get("email_typo"))
        except InvalidContact as error:
            explanation = text(language_of(tracker), f"invalid.email.{error.reason}").format(
                suggestion=error.suggestion
            )
            refused = failed(dispatcher, tracker, "candidate_email", explanation)
            if error.reason == "domain_typo":
                # The same address sent again means it is right.
                refused["booking_attempts"]["email_typo"] = error.value
            return refused
        return {"candidate_email": address}

    def validate_candidate_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        declined = tracker.get_intent_of_latest_message() == "deny"
        if declined or value == "/deny" or contact.says_no_phone(str(value)):
            return {"candidate_phone": NO_PHONE}
        if is_payload(value):
            return {"candidate_phone": None}
        try:
            return {"candidate_phone": contact.normalise_phone(str(value))}
        except InvalidContact as error:
            explanation = text(language_of(tracker), f"invalid.phone.{error.reason}")
            return failed(dispatcher, tracker, "candidate_phone", explanation)

    def validate_booking_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if value is True:
            return {"booking_consent": True}
        if value is False:
            # No consent, no booking: the form ends and action_book_info_session says so.
            return {"booking_consent": False, "requested_slot": None}
        return failed(
            dispatcher, tracker, "booking_consent", text(language_of(tracker), "sessions.yes_no")
        )


def message_id(tracker: Tracker) -> str | None:
    """The id of the user message that completed the form (the idempotency key)."""
    latest = (tracker.latest_message or {}).get("message_id")
    if latest:
        return str(latest)
    for event in reversed(tracker.events or []):
        if event.get("event") == "user" and event.get("message_id"):
            return str(event["message_id"])
    return None


class ActionBookInfoSession(UsesServices, Action):
    """Stores the booking of a completed form, confirms it, and forgets the form's data."""

    def name(self) -> str:
        return "action_book_info_session"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        session_id = tracker.get_slot("session_id")
        consent = tracker.get_slot("booking_consent")
        if consent is not True or not str(session_id or "").isdigit():
            if consent is False:
                dispatcher.utter_message(response="utter_booking_no_consent")
            return reset_booking()
        language = language_of(tracker)
        phone = tracker.get_slot("candidate_phone")
        settings = self.services.settings
        message = message_id(tracker)
        try:
            result, emailed = await self.blocking(
                sessions.book_and_confirm,
                self.services.engine,
                self.services.mailer,
                settings.public_url,
                int(str(session_id)),
                name=tracker.get_slot("candidate_name") or "",
                email=tracker.get_slot("candidate_email") or "",
                phone=None if phone in (None, NO_PHONE) else phone,
                language=language,
                sender_id=tracker.sender_id,
                message_id=message,
            )
        except BookingLimitReached as error:
            limit_text = text(language, f"sessions.limit.{error.reason}")
            dispatcher.utter_message(text=limit_text.format(limit=error.limit), language=language)
            return reset_booking()
        except (RegistrationClosed, SessionNotFound) as error:
            reason = getattr(error, "reason", None)
            key = f"sessions.closed.{reason}" if reason else "sessions.session_not_found"
            dispatcher.utter_message(text=text(language, key), language=language)
            dispatcher.utter_message(response="utter_booking_choose_another")
            return reset_booking()
        except (InvalidContact, SQLAlchemyError) as error:
            # Not log.exception: the error's text quotes the statement's parameters.
            log.error("booking for session %s failed: %s", session_id, type(error).__name__)
            dispatcher.utter_message(response="utter_booking_error")
            return reset_booking()
        self._confirm(dispatcher, result, emailed, language, message)
        return reset_booking()

    def _confirm(
        self,
        dispatcher: CollectingDispatcher,
        result: sessions.BookingResult,
        emailed: bool,
        language: str,
        message: str | None,
    ) -> None:
        booking = result.booking
        if not result.created and booking.message_id != message:
            dispatcher.utter_message(response="utter_booking_existing")
        details = session_texts.session_details(result.session, language)
        url = session_mail.ics_url(self.services.settings.public_url, booking.reference)
        dispatcher.utter_message(
            response="utter_booking_waitlisted"
            if booking.waitlisted
            else "utter_booking_confirmed",
            reference=booking.reference,
            position=result.waitlist_position,
            ics_url=url,
            **details,
        )
        if emailed:
            dispatcher.utter_message(response="utter_booking_email_sent")


class ActionResetBookingForm(Action):
    """The candidate stopped the form: nothing is stored, everything is forgotten."""

    def name(self) -> str:
        return "action_reset_booking_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_booking_stopped")
        return reset_booking()
