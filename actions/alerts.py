"""Job alerts in the chat: thin adapters on bot.alerts.

- ``action_start_alert`` ("prévenez-moi des nouvelles offres", the button under results):
  saves the search just made, so it needs one, and e-mail; then starts ``alert_form``;
- ``alert_form`` asks for consent, then the address (validated as the booking form does);
- ``action_subscribe_alert`` stores the pending alert and sends the confirmation link;
- ``action_stop_alerts`` ("stop mes alertes") ends this conversation's alerts, listing their
  searches only: an address typed by someone else is never shown.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._base import UsesServices, language_of
from actions.sessions import acknowledged, failed, is_payload
from actions.vacancies import AREA, OCCUPATIONS
from bot import alerts, contact
from bot.alerts.links import link_key
from bot.alerts.mail import describe
from bot.alerts.subscriptions import SavedSearch, stop_for_conversation
from bot.config import privacy_url
from bot.errors import AlertLimitReached, AlertsNeedEmail, InvalidContact
from bot.handoff.answers import wants_to_stop
from bot.messages import text
from bot.storage import db
from bot.vacancies.dialogue import build_query

FORM = "alert_form"
CONSENT = "alert_consent"
EMAIL = "alert_email"
ATTEMPTS = "alert_attempts"


def saved_search(tracker: Tracker) -> SavedSearch | None:
    """The search of this conversation, read from its slots as the search reads them (every
    occupation named, the country or region asked); None before any search."""
    query = build_query(
        tracker.get_slot("occupation"),
        tracker.get_slot("location"),
        tracker.get_slot("radius_km"),
        tracker.get_slot("contract_type"),
        area=tracker.get_slot(AREA),
        occupations=tracker.get_slot(OCCUPATIONS),
    )
    first, *others = query.occupation_ids or (None,)
    try:
        return SavedSearch(
            first,
            query.place_id,
            query.radius_km,
            query.contract_types,
            other_occupation_ids=tuple(others),
            area=query.area.as_slot() if query.area else None,
        )
    except ValueError:  # neither an occupation nor a place: no search yet
        return None


def _say(dispatcher: CollectingDispatcher, tracker: Tracker, key: str, **values: Any) -> None:
    language = language_of(tracker)
    dispatcher.utter_message(
        text=text(language, f"alerts.chat.{key}").format(**values), language=language
    )


class ActionStartAlert(UsesServices, Action):
    def name(self) -> str:
        return "action_start_alert"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if saved_search(tracker) is None:
            _say(dispatcher, tracker, "no_search")
            return []
        if self.services.mailer is None:
            _say(dispatcher, tracker, "no_email")
            return []
        return [SlotSet(CONSENT, None), SlotSet(EMAIL, None), FollowupAction(FORM)]


class ActionAskAlertConsent(UsesServices, Action):
    def name(self) -> str:
        return "action_ask_alert_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = language_of(tracker)
        search = saved_search(tracker)
        message = text(language, "alerts.chat.ask_consent").format(
            search=describe(search, language) if search else "",
            privacy_url=privacy_url(self.services.settings.public_url, language),
        )
        buttons = [
            {"title": text(language, "alerts.chat.consent_yes"), "payload": "/affirm"},
            {"title": text(language, "alerts.chat.consent_no"), "payload": "/deny"},
        ]
        dispatcher.utter_message(text=message, buttons=buttons, language=language)
        return []


class ActionAskAlertEmail(Action):
    def name(self) -> str:
        return "action_ask_alert_email"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        _say(dispatcher, tracker, "ask_email")
        return []


class ValidateAlertForm(FormValidationAction):
    def name(self) -> str:
        return "validate_alert_form"

    def validate_alert_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        return {CONSENT: True if value is True else None}

    def validate_alert_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if is_payload(value) or wants_to_stop(str(value)):
            return {EMAIL: None}
        attempts = tracker.get_slot(ATTEMPTS) or {}
        try:
            address = contact.normalise_email(str(value), confirmed=attempts.get("email_typo"))
        except InvalidContact as error:
            ack = acknowledged(dispatcher, tracker, EMAIL, value)
            if ack is not None:
                return ack
            explanation = text(language_of(tracker), f"invalid.email.{error.reason}").format(
                suggestion=error.suggestion
            )
            refused = failed(dispatcher, tracker, EMAIL, explanation, attempts_slot=ATTEMPTS)
            if error.reason == "domain_typo":
                refused[ATTEMPTS]["email_typo"] = error.value
            return refused
        return {EMAIL: address}


class ActionSubscribeAlert(UsesServices, Action):
    def name(self) -> str:
        return "action_subscribe_alert"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset: list[EventType] = [SlotSet(CONSENT, None), SlotSet(EMAIL, None)]
        search = saved_search(tracker)
        email = tracker.get_slot(EMAIL)
        if search is None or not email or tracker.get_slot(CONSENT) is not True:
            _say(dispatcher, tracker, "no_search")
            return reset
        language = language_of(tracker)
        settings = self.services.settings
        try:
            result = await self.blocking(
                alerts.subscribe_and_send,
                self.services.engine,
                self.services.mailer,
                settings.public_url,
                link_key(settings),
                email=email,
                language=language,
                search=search,
                sender_id=tracker.sender_id,
            )
        except AlertsNeedEmail:
            _say(dispatcher, tracker, "no_email")
            return reset
        except AlertLimitReached as error:
            _say(dispatcher, tracker, "limit", limit=error.limit)
            return reset
        if result.already_confirmed:
            _say(dispatcher, tracker, "already", search=describe(search, language))
        elif result.sent:
            _say(dispatcher, tracker, "sent", email=email)
        else:
            _say(dispatcher, tracker, "not_sent", email=email)
        return reset


class ActionStopAlerts(UsesServices, Action):
    def name(self) -> str:
        return "action_stop_alerts"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        stopped = await self.blocking(_stop, self.services.engine, tracker.sender_id)
        if not stopped:
            _say(dispatcher, tracker, "none")
            return []
        language = language_of(tracker)
        lines = [text(language, "alerts.chat.stopped")]
        lines += [f"- {describe(a.search, language)}" for a in stopped if a.search is not None]
        dispatcher.utter_message(text="\n".join(lines), language=language)
        return []


def _stop(engine: Any, sender_id: str) -> list[alerts.Alert]:
    with db.transaction(engine) as conn:
        return stop_for_conversation(conn, sender_id)
