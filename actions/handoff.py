"""Handover to a consultant: the offer, the live request and the callback form (thin adapters).

- ``action_handoff`` answers ``ask_human``: the official contact pages, then a consultant
  here now or a callback during office hours, a callback outside them. Its buttons send
  ``ask_human`` again with ``handoff_choice``: ``live`` flags the conversation for the
  console, ``callback`` starts ``callback_form``.
- ``validate_callback_form`` reads the name, phone number and e-mail address with
  bot.contact (as the booking form does) and the other answers with bot.handoff.answers,
  explains a refused one, and stops the form on "laisse tomber" / "laat maar" or a refused
  consent.
- ``action_handoff_waiting`` answers "vous êtes là ?" while a consultant is offered or asked
  for: the queue with the office hours and the callback offer, or the offer again.
- ``action_request_callback`` stores the request once the form is complete and clears the
  personal slots (stopped form: it only clears them).

Their settings, database engine and clock are the actions' :class:`~actions._base.Services`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions._base import Services, UsesServices, client_of, language_of
from bot import contact, form_turns, handoff
from bot.config import privacy_url
from bot.contact import format_phone, normalise_email, normalise_phone
from bot.errors import CallbackLimitReached, InvalidContact
from bot.handoff import answers
from bot.handoff.texts import expected_call_label, moment_label, office_hours_label, problem_text
from bot.messages import text
from bot.storage import db

logger = logging.getLogger(__name__)

FORM = "callback_form"
NO_EMAIL = "-"
# Intents that, understood with confidence, are a question or request, not a form answer.
_NOT_ANSWERS = frozenset(
    """ask_human help bot_challenge faq search_vacancies list_info_sessions
    book_info_session cancel_booking""".split()
)
_SURE = 0.85


def _office_open(services: Services, tracker: Tracker) -> bool:
    return handoff.office_open_for(services.now(), services.settings, _requested_hours(tracker))


def _requested_hours(tracker: Tracker) -> str | None:
    """``office_hours`` of the message or session metadata (honoured in test mode only)."""
    for metadata in (
        (tracker.latest_message or {}).get("metadata"),
        tracker.get_slot("session_started_metadata"),
    ):
        if isinstance(metadata, dict) and metadata.get("office_hours"):
            return str(metadata["office_hours"])
    return None


def _choice(tracker: Tracker) -> str | None:
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == "handoff_choice":
            return str(entity.get("value"))
    return None


def _user_intents(tracker: Tracker) -> list[str]:
    """The intents of the conversation's user messages, oldest first ("faq/taxes" for FAQ)."""
    intents = []
    for event in tracker.events:
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        name = intent.get("full_retrieval_intent_name") or intent.get("name")
        if name:
            intents.append(str(name))
    return intents


class ActionHandoff(UsesServices, Action):
    """``ask_human``: offer a consultant, flag a live request, or start the callback form."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        choice = _choice(tracker)
        topic = handoff.topic_of(_user_intents(tracker))
        if choice == "callback":
            return [SlotSet("callback_topic", topic), FollowupAction(FORM)]
        pending = [SlotSet(handoff.PENDING_SLOT, True)]
        is_open = _office_open(self.services, tracker)
        if choice == "live" and is_open:
            return [*pending, *await self._live(dispatcher, tracker, topic)]
        if choice is None:
            dispatcher.utter_message(response="utter_ask_human")
        self._offer(dispatcher, tracker, is_open)
        return pending

    def _offer(self, dispatcher: CollectingDispatcher, tracker: Tracker, is_open: bool) -> None:
        """A consultant here or a callback (office hours), a callback only (outside them)."""
        if is_open:
            dispatcher.utter_message(response="utter_handoff_offer_open")
        else:
            label = office_hours_label(self.services.settings, language_of(tracker))
            dispatcher.utter_message(response="utter_handoff_offer_closed", office_hours=label)

    async def _live(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, topic: str | None
    ) -> list[dict[str, Any]]:
        message = tracker.latest_message or {}
        now = self.services.now()

        def store() -> handoff.CallbackRequest:
            with db.transaction(self.services.engine) as conn:
                return handoff.request_callback(
                    conn,
                    sender_id=tracker.sender_id,
                    message_id=str(message.get("message_id") or f"live-{now.timestamp()}"),
                    language=language_of(tracker),
                    channel=tracker.get_latest_input_channel(),
                    live=True,
                    topic=topic,
                    now=now,
                )

        try:
            request = await self.blocking(store)
        except SQLAlchemyError:
            logger.exception("live request of conversation %s not stored", tracker.sender_id)
            dispatcher.utter_message(response="utter_callback_not_saved")
            return []
        logger.info("live request %s for conversation %s", request.id, tracker.sender_id)
        dispatcher.utter_message(response="utter_handoff_live_requested")
        return []


class ActionHandoffWaiting(ActionHandoff):
    """ "hallo? is daar iemand?" while a consultant is offered or asked for (``handoff_pending``).

    A live request still waiting: it is queued, with the office hours and the callback offer.
    Otherwise (the offer was not answered, or a consultant took the request and left): the
    assistant says it is the one here and offers a consultant again; the slot is cleared.
    """

    def name(self) -> str:
        return "action_handoff_waiting"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        def waiting() -> handoff.CallbackRequest | None:
            with db.transaction(self.services.engine) as conn:
                return handoff.waiting_live_request(conn, tracker.sender_id)

        try:
            request = await self.blocking(waiting)
        except SQLAlchemyError:
            logger.exception("live requests of conversation %s not read", tracker.sender_id)
            request = None
        if request is not None:
            label = office_hours_label(self.services.settings, language_of(tracker))
            dispatcher.utter_message(response="utter_handoff_waiting", office_hours=label)
            return []
        dispatcher.utter_message(response="utter_handoff_still_here")
        self._offer(dispatcher, tracker, _office_open(self.services, tracker))
        return [SlotSet(handoff.PENDING_SLOT, None)]


class ActionAskCallbackConsent(UsesServices, Action):
    """Asks for consent with the link to the privacy notice in the candidate's language."""

    def name(self) -> str:
        return "action_ask_callback_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        url = privacy_url(self.services.settings.public_url, language_of(tracker))
        dispatcher.utter_message(response="utter_ask_callback_consent", privacy_url=url)
        return []


@dataclass(frozen=True)
class _Answer:
    """An answer to the callback form: its text, the intent of a button (payload
    "/affirm"), and whether it is rather a question or another request."""

    text: str
    button: str | None
    not_an_answer: bool


def _cleared() -> dict[str, Any]:
    return {slot: None for slot in (*handoff.FORGOTTEN_SLOTS, "callback_topic")}


class ValidateCallbackForm(UsesServices, FormValidationAction):
    """Checks each answer of ``callback_form``; a refused one is explained and asked again."""

    def name(self) -> str:
        return "validate_callback_form"

    @staticmethod
    def _read(tracker: Tracker, value: Any) -> _Answer:
        intent = (tracker.latest_message or {}).get("intent") or {}
        name = intent.get("name")
        text = str(value or "")
        sure = float(intent.get("confidence") or 0.0) >= _SURE
        return _Answer(
            text=text,
            button=name if text.startswith("/") else None,
            not_an_answer=(sure and name in _NOT_ANSWERS) or "?" in text,
        )

    @staticmethod
    def _stop(
        dispatcher: CollectingDispatcher, response: str, tracker: Tracker | None = None
    ) -> dict[str, Any]:
        dispatcher.utter_message(response=response)
        if tracker is not None:
            language = language_of(tracker)
            dispatcher.utter_message(
                text=text(language, "forms.resume.callback"), language=language
            )
        return {**_cleared(), "requested_slot": None}

    # Details a message gives before they are asked ("je m'appelle ..., 0470 ..., plutôt le
    # matin"), taken once the candidate has agreed to the request.
    _FINDERS: dict[str, Callable[[str], str | None]] = {
        "callback_name": contact.find_name,
        "callback_phone": contact.find_phone,
        "callback_email": contact.find_email,
        "callback_moment": answers.find_moment,
    }

    def _given(self, tracker: Tracker, slot: str) -> dict[str, Any]:
        said = str((tracker.latest_message or {}).get("text") or "")
        if (
            said.startswith("/")
            or not tracker.get_slot("callback_consent")
            or tracker.get_slot("requested_slot") in (slot, "callback_consent")
            or tracker.get_slot(slot) is not None
        ):
            return {}
        found = self._FINDERS[slot](said)
        return {slot: found} if found else {}

    async def extract_callback_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        return self._given(tracker, "callback_name")

    async def extract_callback_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        return self._given(tracker, "callback_phone")

    async def extract_callback_email(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        return self._given(tracker, "callback_email")

    async def extract_callback_moment(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        return self._given(tracker, "callback_moment")

    @staticmethod
    def _refuse(
        dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, refused: InvalidContact
    ) -> dict[str, Any]:
        explanation = problem_text(slot, refused.reason, language_of(tracker))
        if refused.suggestion:
            explanation = explanation.format(suggestion=refused.suggestion)
        dispatcher.utter_message(response=f"utter_callback_invalid_{slot}", explanation=explanation)
        return {f"callback_{slot}": None}

    def _validate(
        self,
        slot: str,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        read: Callable[[str], str],
        *,
        questions_refused: bool = False,
    ) -> dict[str, Any]:
        """A name, phone number or moment: "no" or "laisse tomber" stops the form; with
        ``questions_refused``, a question is not taken for the answer; then ``read`` gives
        the slot's value or raises :class:`InvalidContact`, which is explained."""
        answer = self._read(tracker, value)
        if tracker.get_slot("requested_slot") != f"callback_{slot}":
            # Given before it was asked (see _given): already read.
            return {f"callback_{slot}": value}
        if answers.wants_to_stop(answer.text) or answers.is_no(answer.text, answer.button):
            return self._stop(dispatcher, "utter_callback_stopped", tracker)
        if questions_refused and answer.not_an_answer:
            dispatcher.utter_message(response="utter_callback_not_an_answer")
            return {f"callback_{slot}": None}
        # Thanks or a complaint in so many words answers nothing, not even the free-text
        # moment; the intent alone ("greet" for a name) counts only for what does not read.
        kind = form_turns.kind_of(answer.text) if answer.button is None else None
        if kind is None:
            try:
                return {f"callback_{slot}": read(answer.text)}
            except InvalidContact as refused:
                kind = form_turns.kind_of(answer.text, tracker.get_intent_of_latest_message())
                if kind is None:
                    return self._refuse(dispatcher, tracker, slot, refused)
        language = language_of(tracker)
        dispatcher.utter_message(text=text(language, f"forms.ack.{kind}"), language=language)
        return {f"callback_{slot}": None}

    async def validate_callback_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        answer = self._read(tracker, value)
        if answers.wants_to_stop(answer.text):
            return self._stop(dispatcher, "utter_callback_stopped", tracker)
        if answers.is_yes(answer.text, answer.button):
            return {"callback_consent": self.services.now().isoformat()}
        if answers.is_no(answer.text, answer.button):
            return self._stop(dispatcher, "utter_callback_consent_refused")
        dispatcher.utter_message(response="utter_callback_consent_unclear")
        return {"callback_consent": None}

    async def validate_callback_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        return self._validate(
            "name", value, dispatcher, tracker, contact.read_name, questions_refused=True
        )

    async def validate_callback_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        return self._validate("phone", value, dispatcher, tracker, normalise_phone)

    async def validate_callback_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        """An e-mail address; "no" here means none (it is optional), not stop."""
        answer = self._read(tracker, value)
        if tracker.get_slot("requested_slot") != "callback_email":
            return {"callback_email": value}  # given before it was asked (see _given)
        if answers.wants_to_stop(answer.text):
            return self._stop(dispatcher, "utter_callback_stopped", tracker)
        if answers.is_no(answer.text, answer.button):
            return {"callback_email": NO_EMAIL}
        confirmed = tracker.get_slot(handoff.EMAIL_TYPO_SLOT)
        try:
            address = normalise_email(answer.text, confirmed=confirmed)
        except InvalidContact as refused:
            slots = self._refuse(dispatcher, tracker, "email", refused)
            if refused.reason == "domain_typo":
                slots[handoff.EMAIL_TYPO_SLOT] = refused.value
            return slots
        return {"callback_email": address, handoff.EMAIL_TYPO_SLOT: None}

    async def validate_callback_moment(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        return self._validate(
            "moment", value, dispatcher, tracker, answers.read_moment, questions_refused=True
        )


class ActionRequestCallback(UsesServices, Action):
    """Stores the completed callback request, confirms it, and forgets the personal slots."""

    def name(self) -> str:
        return "action_request_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        slots = {slot: tracker.get_slot(slot) for slot in handoff.FORM_SLOTS}
        # The request is stored or stopped: nobody is waiting here any more.
        forget = [SlotSet(slot, None) for slot in (*_cleared(), handoff.PENDING_SLOT)]
        if not all(slots[s] for s in ("callback_consent", "callback_name", "callback_phone")):
            return forget  # the form was stopped: nothing to store
        language = language_of(tracker)
        try:
            request = await self.blocking(self._store, tracker, slots, language)
        except CallbackLimitReached as refused:
            key = "service.callback_limit_client" if refused.reason == "client" else None
            limit_text = text(language, key or "service.callback_limit").format(limit=refused.limit)
            dispatcher.utter_message(text=limit_text, language=language)
            return forget
        except SQLAlchemyError:
            logger.exception("callback request of conversation %s not stored", tracker.sender_id)
            dispatcher.utter_message(response="utter_callback_not_saved")
            return forget
        logger.info("callback request %s for conversation %s", request.id, tracker.sender_id)
        settings = self.services.settings
        dispatcher.utter_message(
            response="utter_callback_confirmed",
            name=request.name,
            phone=format_phone(request.phone or ""),
            office_hours=office_hours_label(settings, language),
            when=expected_call_label(self.services.now(), settings, language),
            moment=moment_label(request.preferred_moment, language),
        )
        return forget

    def _store(
        self, tracker: Tracker, slots: dict[str, Any], language: str
    ) -> handoff.CallbackRequest:
        message = tracker.latest_message or {}
        email = slots["callback_email"]
        with db.transaction(self.services.engine) as conn:
            return handoff.request_callback(
                conn,
                sender_id=tracker.sender_id,
                message_id=str(message.get("message_id") or f"form-{slots['callback_consent']}"),
                language=language,
                channel=tracker.get_latest_input_channel(),
                name=slots["callback_name"],
                phone=slots["callback_phone"],
                email=None if email in (None, NO_EMAIL) else email,
                preferred_moment=slots["callback_moment"],
                topic=tracker.get_slot("callback_topic"),
                consent_at=datetime.fromisoformat(slots["callback_consent"]),
                consent_version=handoff.CONSENT_TEXT_VERSION,
                client_key=client_of(tracker),
                now=self.services.now(),
            )
