"""The vacancy search dialogue: thin adapters on bot.vacancies.dialogue and bot.vacancies.replies.

- ``action_start_vacancy_search`` runs before the form on ``search_vacancies``: a new
  request forgets what it does not say ("ik zoek werk" starts from nothing);
- ``validate_vacancy_search_form`` reads the answers (ids, "partout", an ambiguous or unknown
  name) and says what was not understood;
- ``action_ask_location`` asks where, or which of several places of the same name;
- ``action_search_vacancies`` shows the first page, ``action_more_vacancies`` the next one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._base import UsesServices, language_of, latest_text
from actions.faq import ActionAnswerFaq, asked_topic
from bot import form_turns, gazetteer, knowledge
from bot.handoff.answers import wants_to_stop
from bot.messages import text as catalog_text
from bot.vacancies import replies, search
from bot.vacancies.areas import Area, area_of
from bot.vacancies.dialogue import (
    ANY,
    CONTRACT,
    LOCATION,
    MAX_FAILURES,
    OCCUPATION,
    RADIUS,
    Answer,
    anywhere_asked,
    build_query,
    occupations_named,
    places_named,
    read_occupation,
    read_place,
    slots_to_reset,
    written_place,
)

FORM = "vacancy_search_form"
SEARCH_INTENT = "search_vacancies"
NEXT_OFFSET = "vacancy_next_offset"
FAILURES = "vacancy_failures"
PLACE_OPTIONS = "vacancy_place_options"
# Requests that, understood with some confidence instead of an answer, leave the search form
# and start what they ask (the search can be asked again any time).
_OTHER_FLOWS = {
    "book_info_session": "info_session_form",
    "list_info_sessions": "action_list_info_sessions",
    "cancel_booking": "cancel_booking_form",
}
_REQUEST_CONFIDENCE = 0.6
AREA = "vacancy_area"
OCCUPATIONS = "vacancy_occupations"
PLACES = "vacancy_places"


def _send(
    dispatcher: CollectingDispatcher, tracker: Tracker, messages: Sequence[replies.Reply]
) -> None:
    # The language goes with every message: the website marks it (bot.channels.socketio).
    for message in messages:
        dispatcher.utter_message(**message.as_dict(), language=language_of(tracker))


def _entities(tracker: Tracker) -> list[dict[str, Any]]:
    return list((tracker.latest_message or {}).get("entities") or [])


def _is_request(tracker: Tracker) -> bool:
    """True for a new search request: its text is not an answer to the form's question."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    return intent.get("name") == SEARCH_INTENT


class ActionStartVacancySearch(Action):
    """Clears what a new search request does not mention, before the form starts."""

    def name(self) -> str:
        return "action_start_vacancy_search"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        entities = _entities(tracker)
        cleared = [*slots_to_reset(entities), NEXT_OFFSET, FAILURES, PLACE_OPTIONS]
        events = [SlotSet(slot, None) for slot in cleared if tracker.get_slot(slot) is not None]
        if anywhere_asked(entities):
            events.append(SlotSet(LOCATION, ANY))
        # A new request keeps only the area and the occupations it names itself.
        area = _area_asked(tracker, entities)
        if area is not None and tracker.get_slot(LOCATION) is None and not _mentions(entities):
            events.append(SlotSet(LOCATION, ANY))  # "du travail en Flandre": anywhere in it
        named = occupations_named(entities)
        places = places_named(entities)
        wanted = {
            AREA: area.as_slot() if area else None,
            OCCUPATIONS: named if len(named) > 1 else None,
            PLACES: places if len(places) > 1 else None,
        }
        events += [SlotSet(k, v) for k, v in wanted.items() if v != tracker.get_slot(k)]
        return events


_DETAIL_INTENTS = frozenset({"inform", SEARCH_INTENT})


def _details_named(tracker: Tracker) -> list[dict[str, Any]]:
    """The area and the occupations a message inside the form names, kept for the search.

    Whatever the message's intent: "aide soignante, pas en France" read as an answer starts the
    form as much as a request does, and its limit must reach the search that follows the
    form's last question ("n'importe où"), which reads only its own message (issue 21).
    """
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    if intent not in _DETAIL_INTENTS or latest_text(tracker).startswith("/"):
        # A question ("et les impôts si je bosse en Belgique ?") limits no search; a slot
        # set here would also keep the form from giving the question to its rule.
        return []
    entities = _entities(tracker)
    events = []
    area = _area_asked(tracker, entities)
    if area is not None and area.as_slot() != tracker.get_slot(AREA):
        events.append(SlotSet(AREA, area.as_slot()))
    named = occupations_named(entities)
    if len(named) > 1 and named != tracker.get_slot(OCCUPATIONS):
        events.append(SlotSet(OCCUPATIONS, named))
    places = places_named(entities)
    if places:  # "à Lille ou Tournai" searches both; "et à Mouscron ?" only Mouscron
        wanted = places if len(places) > 1 else None
        if wanted != tracker.get_slot(PLACES):
            events.append(SlotSet(PLACES, wanted))
    return events


def _other_flow(tracker: Tracker) -> str | None:
    """The flow a message asks for instead of answering the search form, if any."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    if float(intent.get("confidence") or 0.0) < _REQUEST_CONFIDENCE:
        return None
    return _OTHER_FLOWS.get(str(intent.get("name")))


class ValidateVacancySearchForm(UsesServices, FormValidationAction):
    """Turns the answers into gazetteer ids; explains unknown names, offers a consultant
    after :data:`MAX_FAILURES` of them, keeps ambiguous places for ``action_ask_location``.

    A message that answers nothing is not held hostage (issue 21): a question is answered
    and the question of the form asked again, another request leaves the form and starts,
    "ok" or thanks are acknowledged."""

    def name(self) -> str:
        return f"validate_{FORM}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        events = await super().run(dispatcher, tracker, domain)
        events += _details_named(tracker)
        left = any(e.get("name") == "requested_slot" and e.get("value") is None for e in events)
        flow = _other_flow(tracker)
        if left and flow is not None:
            events.append(FollowupAction(flow))
        elif left and wants_to_stop(latest_text(tracker)):
            # Stopped in so many words: nothing to search, wait for the next message.
            events.append(FollowupAction("action_listen"))
        return events

    def _not_an_answer(
        self, slot: str, answer: Answer, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any] | None:
        """What to do with a message that gives the form's question no value; None: the
        usual (explain an unknown name, or ask again)."""
        if answer.value is not None or answer.options:
            return None
        if tracker.get_slot("requested_slot") != slot:
            return None
        said = latest_text(tracker)
        if said.startswith("/"):
            return None
        language = language_of(tracker)
        message = tracker.latest_message or {}
        if wants_to_stop(said):
            # "laisse tomber" the classifier did not read as stop: stop all the same (the
            # reply says how to search again).
            dispatcher.utter_message(response="utter_vacancy_search_stopped")
            return {slot: None, "requested_slot": None}
        if _other_flow(tracker) is not None:
            text = catalog_text(language, "forms.resume.search")
            dispatcher.utter_message(text=text, language=language)
            return {slot: None, "requested_slot": None}
        if form_turns.is_question(said):
            topic = knowledge.topic_in(said) or asked_topic(message, any_intent=True)
            if topic in knowledge.topics():
                events = ActionAnswerFaq(self._services).answer(dispatcher, tracker, topic)
                return {slot: None, **{e["name"]: e["value"] for e in events}}
        kind = form_turns.kind_of(said, (message.get("intent") or {}).get("name"))
        if kind is not None:
            dispatcher.utter_message(
                text=catalog_text(language, f"forms.ack.{kind}"), language=language
            )
            return {slot: None}
        return None

    async def validate_occupation(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        language = language_of(tracker)
        entities = _entities(tracker)
        answer = read_occupation(value, entities, language, _is_request(tracker))
        handled = self._not_an_answer(OCCUPATION, answer, dispatcher, tracker)
        if handled is not None:
            return handled
        if answer.unknown is not None:
            _send(dispatcher, tracker, [replies.unknown_occupation(answer, language)])
        slots = self._slots(OCCUPATION, answer, dispatcher, tracker)
        if tracker.get_slot(LOCATION) is None and anywhere_asked(entities):
            slots[LOCATION] = ANY  # "cariste, partout"
        return slots

    async def validate_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        language = language_of(tracker)
        text = latest_text(tracker)
        pending = tracker.get_slot(PLACE_OPTIONS) or ()
        answer = read_place(
            value, text, _entities(tracker), language, pending, _is_request(tracker)
        )
        if answer.options:
            return {LOCATION: None, PLACE_OPTIONS: list(answer.options)}
        handled = self._not_an_answer(LOCATION, answer, dispatcher, tracker)
        if handled is not None:
            return handled
        if answer.unknown is not None:
            _send(dispatcher, tracker, [replies.unknown_place(answer, language)])
        return self._slots(LOCATION, answer, dispatcher, tracker)

    @staticmethod
    def _slots(
        slot: str, answer: Answer, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        if answer.value is not None:
            done = {slot: answer.value, FAILURES: None}
            return {**done, PLACE_OPTIONS: None} if slot == LOCATION else done
        if answer.unknown is None:
            return {slot: None}
        failures = int(tracker.get_slot(FAILURES) or 0) + 1
        if failures >= MAX_FAILURES:
            _send(dispatcher, tracker, [replies.consultant_offer(language_of(tracker))])
        return {slot: None, FAILURES: failures}


class ActionAskLocation(Action):
    """Asks where to search, or which place an ambiguous name meant (with buttons)."""

    def name(self) -> str:
        return "action_ask_location"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        options = tracker.get_slot(PLACE_OPTIONS)
        if options:
            text = latest_text(tracker)
            said = written_place(text, _entities(tracker), options)
            _send(dispatcher, tracker, [replies.choose_place(options, language_of(tracker), said)])
        else:
            dispatcher.utter_message(response="utter_ask_location")
        return []


class ActionSearchVacancies(UsesServices, Action):
    """Shows the first page of the search the slots describe."""

    def name(self) -> str:
        return "action_search_vacancies"

    def offset(self, tracker: Tracker) -> int | None:
        """Where the page starts; None when there is nothing (more) to show."""
        return 0

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        language = language_of(tracker)
        occupation, location = tracker.get_slot(OCCUPATION), tracker.get_slot(LOCATION)
        if occupation is None or location is None:
            _send(dispatcher, tracker, [replies.no_search(language)])
            return []
        area = _area_asked(tracker, _entities(tracker))
        area_slot = area.as_slot() if area else tracker.get_slot(AREA)
        query = build_query(
            *_search_slots(tracker),
            area=area_slot,
            occupations=tracker.get_slot(OCCUPATIONS),
            places=tracker.get_slot(PLACES),
        )
        offset = self.offset(tracker)
        if offset is None:
            _send(dispatcher, tracker, [replies.no_more(query, language)])
            return []
        sources = self.services.vacancy_sources
        page = await search(replace(query, offset=offset), sources)
        _send(dispatcher, tracker, replies.page_replies(page, language, len(sources)))
        events = [SlotSet(NEXT_OFFSET, page.next_offset)]
        return events + ([SlotSet(AREA, area_slot)] if area_slot != tracker.get_slot(AREA) else [])


class ActionMoreVacancies(ActionSearchVacancies):
    """ "Show more": the next page of the last search."""

    def name(self) -> str:
        return "action_more_vacancies"

    def offset(self, tracker: Tracker) -> int | None:
        offset = tracker.get_slot(NEXT_OFFSET)
        return int(offset) if offset is not None else None


def _mentions(entities: list[dict[str, Any]]) -> bool:
    return any(e.get("entity") == LOCATION for e in entities)


def _area_asked(tracker: Tracker, entities: list[dict[str, Any]]) -> Area | None:
    """The area the latest message names ("alleen in Frankrijk", "pas en France"), if any.

    "Over de grens" is the country where the candidate does not live: the country of the
    searched place, else of the residence the conversation gave (``residence_country``).
    """
    place_ids = [str(e.get("value")) for e in entities if e.get("entity") == LOCATION]
    place_ids.append(str(tracker.get_slot(LOCATION) or ""))
    home = next((p.country for p in map(gazetteer.place, place_ids) if p is not None), None)
    if home is None:
        residence = tracker.get_slot("residence_country")
        home = str(residence).upper() if residence in ("fr", "be") else None
    return area_of(latest_text(tracker), home)


def _search_slots(tracker: Tracker) -> tuple[Any, Any, Any, Any]:
    return (
        tracker.get_slot(OCCUPATION),
        tracker.get_slot(LOCATION),
        tracker.get_slot(RADIUS),
        tracker.get_slot(CONTRACT),
    )
