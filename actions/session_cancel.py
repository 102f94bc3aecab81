"""Cancelling a booking by its reference, after a confirmation question (thin adapters).

The freed seat goes to the first booking of the waiting list in the same transaction
(bot.sessions.cancel), and that candidate is told by e-mail where e-mail is configured.
Without the reference ("je sais plus la référence"), the candidate may give the address they
booked with, and the references are e-mailed there (never shown here), or a consultant is
offered when e-mail is off (bot.sessions.lookup).
"""

from __future__ import annotations

import logging
import math
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions._base import Services, UsesServices, client_of, language_of, latest_text
from actions.sessions import acknowledged, failed, is_payload
from bot import contact, references, sessions
from bot.errors import BookingNotFound
from bot.messages import text
from bot.sessions import lookup
from bot.sessions import texts as session_texts
from bot.storage.db import transaction

log = logging.getLogger(__name__)

FORM = "cancel_booking_form"
CANCEL_SLOTS = ("booking_reference", "cancel_confirmed", "cancel_attempts")
MAX_LOOKUPS = 3  # reference e-mails one conversation may ask for (no mail bombing)


def bot_texts(tracker: Tracker) -> list[str]:
    """Everything the assistant said in this conversation (Rasa sends all its events)."""
    return [str(e.get("text") or "") for e in tracker.events if e.get("event") == "bot"]


def details_of(
    services: Services, reference: str
) -> tuple[sessions.Booking, sessions.InfoSession] | None:
    """The booking and its session, or None for an unknown reference (run in a thread)."""
    with transaction(services.engine) as conn:
        try:
            return sessions.booking_details(conn, reference)
        except BookingNotFound:
            return None


def reference_keys(tracker: Tracker) -> list[str]:
    """Whose failed booking references count together: the conversation's, and its client
    address's (a script opening a new conversation for each guess)."""
    client = client_of(tracker)
    return [f"conversation:{tracker.sender_id}", *([f"client:{client}"] if client else [])]


def reset_cancellation() -> list[dict[str, Any]]:
    return [SlotSet(slot, None) for slot in CANCEL_SLOTS]


class ValidateCancelBookingForm(UsesServices, FormValidationAction):
    """Checks the reference (format, then existence) and the yes/no answer."""

    def name(self) -> str:
        return f"validate_{FORM}"

    def extract_booking_reference(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """A reference written in the request itself, even if NLU missed the entity."""
        if tracker.get_slot("booking_reference"):
            return {}
        said = latest_text(tracker)
        found = references.find_reference(said)
        if found:
            return {"booking_reference": found}
        # "je sais plus la référence", or the address instead: validated below, whatever the
        # intent ("niet meer" may read as deny).
        asking = tracker.get_slot("requested_slot") in (None, "booking_reference")
        if asking and not is_payload(said):
            if lookup.says_reference_lost(said) or contact.find_email(said):
                return {"booking_reference": said}
        return {}

    async def validate_booking_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if is_payload(value):
            return {"booking_reference": None}
        language = language_of(tracker)
        # The reference written in the message, read with word boundaries, comes first: an
        # entity can be cut badly ("uler P3QR" out of "annuler P3QR-7STU").
        said = latest_text(tracker)
        reference = (
            references.find_reference(said)
            or references.normalise_reference(str(value))
            or references.find_reference(str(value))
        )
        if reference is None:
            address = contact.find_email(said)
            if address is not None or lookup.says_reference_lost(said):
                return await self._without_reference(dispatcher, tracker, address)
            ack = acknowledged(dispatcher, tracker, "booking_reference", said)
            if ack is not None:
                return ack
            return self._failed(dispatcher, tracker, text(language, "invalid.reference.format"))
        keys = reference_keys(tracker)
        failures = self.services.reference_failures
        per_client = self.services.settings.max_failed_references_per_client
        wait = max(
            failures.blocked_for(key, free=per_client if key.startswith("client:") else None)
            for key in keys
        )
        if wait > 0:
            # Too many unknown references: a script guessing them. Not even looked up.
            log.warning("conversation %s: booking reference look-ups refused", tracker.sender_id)
            minutes = max(1, math.ceil(wait / 60))
            refusal = text(language, "invalid.reference.throttled").format(minutes=minutes)
            dispatcher.utter_message(text=refusal, language=language)
            return {"booking_reference": None, "requested_slot": None}
        found = await self.blocking(details_of, self.services, reference)
        if found is None:
            for key in keys:
                failures.failed(key)
            explanation = text(language, "invalid.reference.unknown").format(reference=reference)
            return self._failed(dispatcher, tracker, explanation)
        if found[0].cancelled:
            dispatcher.utter_message(
                response="utter_booking_already_cancelled", reference=reference
            )
            # Nothing left to do: the form ends, action_cancel_booking finds nothing to cancel.
            return {"booking_reference": None, "requested_slot": None}
        return {"booking_reference": reference}

    async def _without_reference(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, address: str | None
    ) -> dict[str, Any]:
        """No reference: e-mail the references to the address given (the same answer whether
        or not it has bookings), or offer to; a consultant when e-mail is off."""
        language = language_of(tracker)
        consultant = [
            {"title": text(language, "sessions.lookup.button_consultant"), "payload": "/ask_human"}
        ]
        mailer = self.services.mailer
        if mailer is None or lookup.references_sent(bot_texts(tracker)) >= MAX_LOOKUPS:
            dispatcher.utter_message(
                text=text(language, "sessions.lookup.offer_consultant"),
                buttons=consultant,
                language=language,
            )
            return {"booking_reference": None, "requested_slot": None}
        if address is None:
            dispatcher.utter_message(
                text=text(language, "sessions.lookup.offer_email"),
                buttons=consultant,
                language=language,
            )
            return {"booking_reference": None}
        settings = self.services.settings
        await self.blocking(
            lookup.send_references,
            self.services.engine,
            mailer,
            settings.public_url,
            address,
            self.services.now(),
        )
        dispatcher.utter_message(text=text(language, "sessions.lookup.sent"), language=language)
        return {"booking_reference": None, "requested_slot": None}

    def _failed(self, dispatcher: CollectingDispatcher, tracker: Tracker, explanation: str) -> dict:
        return failed(dispatcher, tracker, "booking_reference", explanation, "cancel_attempts")

    def validate_cancel_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if isinstance(value, bool):
            return {"cancel_confirmed": value}
        ack = acknowledged(dispatcher, tracker, "cancel_confirmed", value)
        if ack is not None:
            return ack
        explanation = text(language_of(tracker), "sessions.yes_no")
        return failed(dispatcher, tracker, "cancel_confirmed", explanation, "cancel_attempts")


class ActionAskCancelConfirmed(UsesServices, Action):
    """ "Do you really want to cancel <session> of <date>?" with yes/no buttons."""

    def name(self) -> str:
        return "action_ask_cancel_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = language_of(tracker)
        reference = str(tracker.get_slot("booking_reference") or "")
        found = await self.blocking(details_of, self.services, reference)
        if found is None:  # cannot happen after validation; ask for the reference again
            return [SlotSet("booking_reference", None)]
        booking, session = found
        dispatcher.utter_message(
            response="utter_ask_cancel_confirmed",
            reference=booking.reference,
            **session_texts.session_details(session, language),
        )
        return []


class ActionCancelBooking(UsesServices, Action):
    """Cancels the confirmed booking, tells whoever got the seat, forgets the reference."""

    def name(self) -> str:
        return "action_cancel_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        reference = tracker.get_slot("booking_reference")
        confirmed = tracker.get_slot("cancel_confirmed")
        if not reference:
            return reset_cancellation()
        if confirmed is not True:
            dispatcher.utter_message(response="utter_booking_kept")
            return reset_cancellation()
        language = language_of(tracker)
        services = self.services
        try:
            result = await self.blocking(
                sessions.cancel_and_notify,
                services.engine,
                services.mailer,
                services.settings.public_url,
                str(reference),
            )
        except BookingNotFound:
            explanation = text(language, "invalid.reference.unknown").format(reference=reference)
            dispatcher.utter_message(text=explanation, language=language)
            return reset_cancellation()
        except SQLAlchemyError as error:
            log.error("cancellation failed: %s", type(error).__name__)
            dispatcher.utter_message(response="utter_booking_error")
            return reset_cancellation()
        details = session_texts.session_details(result.session, language)
        response = {
            "confirmed": "utter_booking_cancelled",
            "waitlisted": "utter_waitlist_left",
        }.get(result.previous_status, "utter_booking_already_cancelled")
        dispatcher.utter_message(response=response, reference=result.booking.reference, **details)
        return reset_cancellation()


class ActionResetCancelForm(Action):
    """The candidate stopped the cancellation: nothing is cancelled."""

    def name(self) -> str:
        return "action_reset_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_cancel_stopped")
        return reset_cancellation()
