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

from actions._base import Services, UsesServices, client_of, language_of, latest_text
from bot import contact, form_turns, sessions
from bot.config import privacy_url
from bot.errors import (
    BookingLimitReached,
    InvalidContact,
    RegistrationClosed,
    SessionNotFound,
)
from bot.handoff.answers import wants_to_stop
from bot.messages import text
from bot.sessions import mail as session_mail
from bot.sessions import requests as session_requests
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
# Questions and requests that, understood with confidence, are not a name: their rules
# answer them (data/rules/sessions.yml) and the form goes on or stops. Goodbye, stop and
# deny are not here: a name read as one of them is still a name ("Thomas Fournier"), and
# words that really say goodbye or stop are not a name (bot.contact.NOT_NAME_WORDS).
_OTHER_REQUESTS = frozenset(
    """faq help bot_challenge switch_language ask_human list_info_sessions book_info_session
    cancel_booking search_vacancies""".split()
)
_SURE = 0.85
# The details a message may give before they are asked, and how each is found in it.
_FINDERS = {
    "candidate_name": contact.name_among_details,
    "candidate_email": contact.find_email,
    "candidate_phone": contact.find_phone,
}


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


def sessions_shown(services: Services, ids: list[Any]) -> list[sessions.InfoSession]:
    """The sessions of a list shown to the candidate, in the order shown (as they are now)."""
    found = []
    with transaction(services.engine) as conn:
        for session_id in ids:
            try:
                found.append(sessions.get_session(conn, int(session_id)))
            except (SessionNotFound, ValueError):
                continue
    return found


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


def clicked_session(tracker: Tracker) -> int | None:
    """The database id a session button sent; None for anything typed.

    Only a button's payload carries a database id: a typed "2" is a place in the list shown.
    """
    if not is_payload(latest_text(tracker)):
        return None
    for value in tracker.get_latest_entity_values("session_id"):
        if str(value).isdigit():
            return int(value)
    return None


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


def acknowledged(
    dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, said: Any
) -> dict[str, Any] | None:
    """Thanks, a greeting, a complaint or small talk instead of an answer: acknowledge it and
    ask the same question again (no failure counted); None for a wrong answer."""
    kind = form_turns.kind_of(str(said), tracker.get_intent_of_latest_message())
    if kind is None:
        return None
    language = language_of(tracker)
    dispatcher.utter_message(text=text(language, f"forms.ack.{kind}"), language=language)
    return {slot: None}


def confidently_other(tracker: Tracker) -> bool:
    """True when the classifier is sure the message is a question or another request."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    sure = float(intent.get("confidence") or 0.0) >= _SURE
    return sure and intent.get("name") in _OTHER_REQUESTS


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
        # "2" or "la deuxième" in the answer is the second of these, in this order.
        return [SlotSet("session_options", [s.id for s in shown])]


class ActionAskBookingConsent(UsesServices, Action):
    """Repeats the session (title, date, town) and the contact details, then asks for
    explicit consent, with the link to the privacy notice."""

    def name(self) -> str:
        return "action_ask_booking_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = language_of(tracker)
        session_id = str(tracker.get_slot("session_id") or "")
        session = None
        if session_id.isdigit():
            session = await self.blocking(session_or_none, self.services, int(session_id))
        if session is not None:
            # What will be stored, said once more before anything is.
            details = session_texts.session_details(session, language)
            recap = text(language, "sessions.recap").format(
                name=tracker.get_slot("candidate_name") or "",
                email=tracker.get_slot("candidate_email") or "",
                **details,
            )
            dispatcher.utter_message(text=recap, language=language)
        url = privacy_url(self.services.settings.public_url)
        dispatcher.utter_message(response="utter_ask_booking_consent", privacy_url=url)
        return []


class ValidateInfoSessionForm(UsesServices, FormValidationAction):
    """Checks each answer of the booking form and explains what is wrong."""

    def name(self) -> str:
        return f"validate_{FORM}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """A change of mind about the session ("ah non, plutôt la 3") at a later question
        chooses again from the list shown; the question asked keeps nothing of it."""
        changed = await self._changed_session(tracker)
        if changed is None:
            return list(await super().run(dispatcher, tracker, domain))
        language = language_of(tracker)
        dispatcher.utter_message(
            response="utter_session_selected", **session_texts.session_details(changed, language)
        )
        requested = tracker.get_slot("requested_slot")
        events = [
            SlotSet("session_id", str(changed.id)),
            SlotSet("waitlist_consent", None if changed.seats_left == 0 else NOT_NEEDED),
        ]
        if requested not in (None, "session_id", "waitlist_consent"):
            events.append(SlotSet(str(requested), None))  # asked, so empty before this message
        return events

    async def _changed_session(self, tracker: Tracker) -> sessions.InfoSession | None:
        """The other session of the list last shown that a message at a later question picks."""
        requested = tracker.get_slot("requested_slot")
        current = tracker.get_slot("session_id")
        said = latest_text(tracker)
        if requested in (None, "session_id") or not current or is_payload(said):
            return None
        choice = session_requests.another_choice(contact.without_contact_details(said))
        if choice is None:
            return None
        shown_ids = _last_list_shown(tracker)
        offered = await self.blocking(bookable_sessions, self.services)
        shown = await self.blocking(sessions_shown, self.services, shown_ids)
        found = self._match(choice, shown, offered)
        if not found or len(found) != 1 or str(found[0].id) == str(current):
            return None
        return found[0] if found[0].id in {s.id for s in offered} else None

    async def extract_session_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """At activation, take the request itself ("je veux m'inscrire à celle de Tournai",
        "la 2" after the list) as the answer when it names a session; ``validate_session_id``
        reads it."""
        message = latest_text(tracker)
        starting = tracker.get_slot("requested_slot") is None
        if not starting or tracker.get_slot("session_id") or is_payload(message):
            return {}
        shown, offered = await self._lists(tracker)
        if self._match(message, shown, offered) is None:
            return {}
        return {"session_id": message}

    async def _lists(
        self, tracker: Tracker
    ) -> tuple[list[sessions.InfoSession], list[sessions.InfoSession]]:
        """The sessions last shown to the candidate (in that order) and those on offer."""
        offered = await self.blocking(bookable_sessions, self.services)
        options = tracker.get_slot("session_options") or []
        shown = await self.blocking(sessions_shown, self.services, list(options))
        return shown, offered

    @staticmethod
    def _match(
        said: str, shown: list[sessions.InfoSession], offered: list[sessions.InfoSession]
    ) -> list[sessions.InfoSession] | None:
        """The sessions ``said`` picks: a number or an ordinal from the list shown only,
        a town, weekday, date or topic from that list first, then from all on offer."""
        # "gsm 0470/12.34.56" is no date: the contact details given with the choice go.
        said = contact.without_contact_details(said)
        found = session_search.match_sessions(said, shown)
        if found or session_search.number_beyond(said, len(shown)) is not None:
            return found
        wider = session_search.match_sessions(said, offered)
        if wider is not None and session_search.number_beyond(said, 0) is None:
            return wider
        return found

    async def validate_session_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        language = language_of(tracker)
        clicked = clicked_session(tracker)
        if clicked is not None:
            offered = await self.blocking(bookable_sessions, self.services)
            chosen = next((s for s in offered if s.id == clicked), None)
            if chosen is None:
                return await self._unavailable(dispatcher, tracker, clicked, language)
        elif is_payload(value):
            return {"session_id": None}
        else:
            shown, offered = await self._lists(tracker)
            found = self._match(str(value), shown, offered)
            if not found:
                beyond = session_search.number_beyond(str(value), len(shown))
                if beyond is not None and shown:
                    explanation = text(language, "sessions.not_in_list").format(
                        number=beyond, count=len(shown)
                    )
                else:
                    explanation = text(language, "sessions.session_not_found")
                return failed(dispatcher, tracker, "session_id", explanation)
            if len(found) > 1:
                dispatcher.utter_message(
                    text=text(language, "sessions.session_ambiguous"), language=language
                )
                return {"session_id": None, "session_options": [s.id for s in found]}
            chosen = found[0]
            if chosen.id not in {s.id for s in offered}:
                return await self._unavailable(dispatcher, tracker, chosen.id, language)
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
        ack = acknowledged(dispatcher, tracker, "waitlist_consent", value)
        if ack is not None:
            return ack
        return failed(
            dispatcher, tracker, "waitlist_consent", text(language_of(tracker), "sessions.yes_no")
        )

    # --- the details: the question asked first, then any the message gives at once --------

    async def extract_candidate_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return self._extract(tracker, "candidate_name")

    async def extract_candidate_email(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return self._extract(tracker, "candidate_email")

    async def extract_candidate_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return self._extract(tracker, "candidate_phone")

    @staticmethod
    def _extract(tracker: Tracker, slot: str) -> dict[str, Any]:
        """The answer to ``slot`` in the latest message, when the domain's mapping did not
        take it: the question asked is answered by any text that validates, whatever the
        intent ("Léa Moreau" read as deny at 0.30); a detail not asked yet is taken when the
        message clearly gives it ("mijn naam is ..., e-mail ..., gsm ...")."""
        said = latest_text(tracker)
        if is_payload(said) or tracker.get_slot(slot) is not None or wants_to_stop(said):
            return {}
        if tracker.get_slot("requested_slot") != slot:
            found = _FINDERS[slot](said)
            return {slot: found} if found else {}
        if slot == "candidate_name" and confidently_other(tracker):
            return {}
        readers = {
            "candidate_name": contact.read_name,
            "candidate_email": contact.normalise_email,
            "candidate_phone": contact.normalise_phone,
        }
        try:
            readers[slot](said)
        except InvalidContact:
            return {}
        return {slot: said}

    def _stopped(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """ "laisse tomber" read as an answer: nothing is stored, say how to come back."""
        language = language_of(tracker)
        dispatcher.utter_message(response="utter_booking_stopped")
        dispatcher.utter_message(text=text(language, "forms.resume.booking"), language=language)
        return {**{slot: None for slot in FORM_SLOTS}, "requested_slot": None}

    def validate_candidate_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if is_payload(value):
            return {"candidate_name": None}
        if wants_to_stop(str(value)):
            return self._stopped(dispatcher, tracker)
        language = language_of(tracker)
        try:
            return {"candidate_name": contact.read_name(str(value))}
        except InvalidContact as error:
            ack = acknowledged(dispatcher, tracker, "candidate_name", value)
            if ack is not None:
                return ack
            explanation = text(language, f"invalid.name.{error.reason}")
            return failed(dispatcher, tracker, "candidate_name", explanation)

    def validate_candidate_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if is_payload(value):
            return {"candidate_email": None}
        if wants_to_stop(str(value)):
            return self._stopped(dispatcher, tracker)
        attempts = tracker.get_slot("booking_attempts") or {}
        try:
            address = contact.normalise_email(str(value), confirmed=attempts.get("email_typo"))
        except InvalidContact as error:
            ack = acknowledged(dispatcher, tracker, "candidate_email", value)
            if ack is not None:
                return ack
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
        if tracker.get_slot("requested_slot") == "candidate_phone" and (
            declined or value == "/deny" or contact.says_no_phone(str(value))
        ):
            return {"candidate_phone": NO_PHONE}
        if is_payload(value):
            return {"candidate_phone": None}
        if wants_to_stop(str(value)):
            return self._stopped(dispatcher, tracker)
        try:
            return {"candidate_phone": contact.normalise_phone(str(value))}
        except InvalidContact as error:
            ack = acknowledged(dispatcher, tracker, "candidate_phone", value)
            if ack is not None:
                return ack
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
        ack = acknowledged(dispatcher, tracker, "booking_consent", value)
        if ack is not None:
            return ack
        return failed(
            dispatcher, tracker, "booking_consent", text(language_of(tracker), "sessions.yes_no")
        )


def _last_list_shown(tracker: Tracker) -> list[Any]:
    """The sessions of the last list shown in this conversation (the slot is cleared once a
    session is chosen; the events keep it)."""
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") == "session_options":
            if event.get("value"):
                return list(event["value"])
    return []


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
                client_key=client_of(tracker),
                hold_minutes=settings.booking_hold_minutes,
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
        if booking.held:
            # Double opt-in: the reference and the invite come once the e-mail's link is used.
            minutes = self.services.settings.booking_hold_minutes
            held = text(language, "sessions.held").format(minutes=minutes)
            dispatcher.utter_message(text=held, language=language)
            return
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
        language = language_of(tracker)
        dispatcher.utter_message(response="utter_booking_stopped")
        dispatcher.utter_message(text=text(language, "forms.resume.booking"), language=language)
        return reset_booking()
