"""Handover to a consultant: the offer, the live request and the callback form (thin adapters).

- ``action_handoff`` answers ``ask_human``: the official contact pages, then a consultant
  here now or a callback during office hours, a callback outside them. Its buttons send
  ``ask_human`` again with ``handoff_choice``: ``live`` flags the conversation for the
  console, ``callback`` starts ``callback_form``.
- ``validate_callback_form`` reads the name, phone number and e-mail address with
  bot.contact (as the booking form does) and the other answers with bot.handoff.answers,
  explains a refused one, and stops the form on "laisse tomber" / "laat maar" or a refused
  consent.
- ``action_request_callback`` stores the request once the form is complete and clears the
  personal slots (stopped form: it only clears them).

Rasa's action server creates every action with no argument: settings and the database
engine are built on first use. Tests pass real ones (a SQLite file) and a clock.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot import handoff, log
from bot.config import Settings
from bot.contact import format_phone, normalise_email, normalise_name, normalise_phone
from bot.errors import InvalidContact
from bot.handoff import answers
from bot.handoff.texts import expected_call_label, moment_label, office_hours_label, problem_text
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


@lru_cache(maxsize=1)
def _process_settings() -> Settings:
    log.install_masking()  # the action server configures logging its own way
    return Settings.from_env()


class HandoffAction(Action, ABC):
    """Settings, database and clock of the handoff actions (abstract: never registered)."""

    def __init__(
        self,
        settings: Settings | None = None,
        engine: Engine | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._clock = clock

    @abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    @property
    def settings(self) -> Settings:
        return self._settings or _process_settings()

    @property
    def engine(self) -> Engine:
        return self._engine or db.engine_for(self.settings.database_url)

    def now(self) -> datetime:
        return self._clock() if self._clock else datetime.now(timezone.utc)

    def office_open(self, tracker: Tracker) -> bool:
        return handoff.office_open_for(self.now(), self.settings, _requested_hours(tracker))


def language_of(tracker: Tracker) -> str:
    language = tracker.get_slot("language")
    return language if language in ("fr", "nl") else "fr"


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


class ActionHandoff(HandoffAction):
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
        is_open = self.office_open(tracker)
        if choice == "live" and is_open:
            return await self._live(dispatcher, tracker, topic)
        language = language_of(tracker)
        if choice is None:
            dispatcher.utter_message(response="utter_ask_human")
        if is_open:
            dispatcher.utter_message(response="utter_handoff_offer_open")
        else:
            label = office_hours_label(self.settings, language)
            dispatcher.utter_message(response="utter_handoff_offer_closed", office_hours=label)
        return []

    async def _live(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, topic: str | None
    ) -> list[dict[str, Any]]:
        message = tracker.latest_message or {}

        def store() -> handoff.CallbackRequest:
            with db.transaction(self.engine) as conn:
                return handoff.request_callback(
                    conn,
                    sender_id=tracker.sender_id,
                    message_id=str(message.get("message_id") or f"live-{self.now().timestamp()}"),
                    language=language_of(tracker),
                    channel=tracker.get_latest_input_channel(),
                    live=True,
                    topic=topic,
                    now=self.now(),
                )

        try:
            request = await asyncio.to_thread(store)
        except SQLAlchemyError:
            logger.exception("live request of conversation %s not stored", tracker.sender_id)
            dispatcher.utter_message(response="utter_callback_not_saved")
            return []
        logger.info("live request %s for conversation %s", request.id, tracker.sender_id)
        dispatcher.utter_message(response="utter_handoff_live_requested")
        return []


class ActionAskCallbackConsent(HandoffAction):
    """Asks for consent with the link to the privacy notice in the candidate's language."""

    def name(self) -> str:
        return "action_ask_callback_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        url = f"{self.settings.public_url}/{language_of(tracker)}/privacy"
        dispatcher.utter_message(response="utter_ask_callback_consent", privacy_url=url)
        return []


def _cleared() -> dict[str, Any]:
    return {slot: None for slot in (*handoff.FORGOTTEN_SLOTS, "callback_topic")}


class ValidateCallbackForm(FormValidationAction):
    """Checks each answer of ``callback_form``; a refused one is explained and asked again."""

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock

    def name(self) -> str:
        return "validate_callback_form"

    @staticmethod
    def _read(tracker: Tracker, value: Any) -> tuple[str, str | None, float]:
        """The answer's text, the intent of a button (payload "/affirm"), the NLU intent."""
        text = str(value or "")
        intent = (tracker.latest_message or {}).get("intent") or {}
        name = intent.get("name")
        button = name if text.startswith("/") else None
        sure = float(intent.get("confidence") or 0.0) >= _SURE
        return text, button, (sure and name in _NOT_ANSWERS) or "?" in text

    @staticmethod
    def _stop(dispatcher: CollectingDispatcher, response: str) -> dict[str, Any]:
        dispatcher.utter_message(response=response)
        return {**_cleared(), "requested_slot": None}

    @staticmethod
    def _refuse(
        dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, refused: InvalidContact
    ) -> dict[str, Any]:
        explanation = problem_text(slot, refused.reason, language_of(tracker))
        if refused.suggestion:
            explanation = explanation.format(suggestion=refused.suggestion)
        dispatcher.utter_message(response=f"utter_callback_invalid_{slot}", explanation=explanation)
        return {f"callback_{slot}": None}

    async def validate_callback_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        text, button, _ = self._read(tracker, value)
        if answers.wants_to_stop(text):
            return self._stop(dispatcher, "utter_callback_stopped")
        if answers.is_yes(text, button):
            moment = self._clock() if self._clock else datetime.now(timezone.utc)
            return {"callback_consent": moment.isoformat()}
        if answers.is_no(text, button):
            return self._stop(dispatcher, "utter_callback_consent_refused")
        dispatcher.utter_message(response="utter_callback_consent_unclear")
        return {"callback_consent": None}

    async def validate_callback_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        text, button, not_an_answer = self._read(tracker, value)
        if answers.wants_to_stop(text) or answers.is_no(text, button):
            return self._stop(dispatcher, "utter_callback_stopped")
        if not_an_answer:
            dispatcher.utter_message(response="utter_callback_not_an_answer")
            return {"callback_name": None}
        try:
            return {"callback_name": normalise_name(text)}
        except InvalidContact as refused:
            return self._refuse(dispatcher, tracker, "name", refused)

    async def validate_callback_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        text, button, _ = self._read(tracker, value)
        if answers.wants_to_stop(text) or answers.is_no(text, button):
            return self._stop(dispatcher, "utter_callback_stopped")
        try:
            return {"callback_phone": normalise_phone(text)}
        except InvalidContact as refused:
            return self._refuse(dispatcher, tracker, "phone", refused)

    async def validate_callback_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        text, button, _ = self._read(tracker, value)
        if answers.wants_to_stop(text):
            return self._stop(dispatcher, "utter_callback_stopped")
        if answers.is_no(text, button):
            return {"callback_email": NO_EMAIL}
        try:
            address = normalise_email(text, confirmed=tracker.get_slot(handoff.EMAIL_TYPO_SLOT))
        except InvalidContact as refused:
            slots = self._refuse(dispatcher, tracker, "email", refused)
            if refused.reason == "domain_typo":
                slots[handoff.EMAIL_TYPO_SLOT] = refused.value
            return slots
        return {"callback_email": address, handoff.EMAIL_TYPO_SLOT: None}

    async def validate_callback_moment(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        text, button, not_an_answer = self._read(tracker, value)
        if answers.wants_to_stop(text) or answers.is_no(text, button):
            return self._stop(dispatcher, "utter_callback_stopped")
        if not_an_answer:
            dispatcher.utter_message(response="utter_callback_not_an_answer")
            return {"callback_moment": None}
        try:
            return {"callback_moment": answers.read_moment(text)}
        except InvalidContact as refused:
            return self._refuse(dispatcher, tracker, "moment", refused)


class ActionRequestCallback(HandoffAction):
    """Stores the completed callback request, confirms it, and forgets the personal slots."""

    def name(self) -> str:
        return "action_request_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        slots = {slot: tracker.get_slot(slot) for slot in handoff.FORM_SLOTS}
        forget = [SlotSet(slot, None) for slot in _cleared()]
        if not all(slots[s] for s in ("callback_consent", "callback_name", "callback_phone")):
            return forget  # the form was stopped: nothing to store
        language = language_of(tracker)
        try:
            request = await asyncio.to_thread(self._store, tracker, slots, language)
        except SQLAlchemyError:
            logger.exception("callback request of conversation %s not stored", tracker.sender_id)
            dispatcher.utter_message(response="utter_callback_not_saved")
            return forget
        logger.info("callback request %s for conversation %s", request.id, tracker.sender_id)
        dispatcher.utter_message(
            response="utter_callback_confirmed",
            name=request.name,
            phone=format_phone(request.phone or ""),
            office_hours=office_hours_label(self.settings, language),
            when=expected_call_label(self.now(), self.settings, language),
            moment=moment_label(request.preferred_moment, language),
        )
        return forget

    def _store(
        self, tracker: Tracker, slots: dict[str, Any], language: str
    ) -> handoff.CallbackRequest:
        message = tracker.latest_message or {}
        email = slots["callback_email"]
        with db.transaction(self.engine) as conn:
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
                now=self.now(),
            )
