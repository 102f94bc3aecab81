"""Answers cross-border questions for the candidate's situation (thin adapter on bot.knowledge)."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions._base import UsesServices, language_of
from bot import knowledge, messages
from bot.knowledge import direction, questions
from bot.knowledge.direction import Situation
from bot.vacancies import areas

FAQ_INTENT = "faq"
DIRECTION_INTENT = "inform_direction"
# Offered after a situation is given without a question.
_SITUATION_TOPICS = ("taxes", "social_security", "health_insurance", "unemployment_benefits")
_SLOTS = {"residence_country": "residence", "work_country": "work", "work_region": "work_region"}


_SEARCHES = ("action_search_vacancies", "action_more_vacancies")


def _limits_the_last_search(tracker: Tracker) -> bool:
    """A message that names only an area, right after a page of search results."""
    text = str((tracker.latest_message or {}).get("text") or "")
    if not tracker.get_slot("occupation") or not areas.names_only_an_area(text):
        return False
    user_seen = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if user_seen:
                return False
            user_seen = True
        elif user_seen and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name") in _SEARCHES
    return False


class ActionAnswerFaq(UsesServices, Action):
    """Answers ``faq/<topic>``, or asks where the candidate lives and works when it matters.

    Also runs after ``inform_direction`` ("et si je travaille en France ?"): the situation is
    updated and the last topic is answered again for it.
    """

    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        message = tracker.latest_message or {}
        if _limits_the_last_search(tracker):
            # "et en Belgique ?" right after a search: the same search, in that area.
            from actions.vacancies import ActionSearchVacancies

            return await ActionSearchVacancies(self.services).run(dispatcher, tracker, domain)
        intent = (message.get("intent") or {}).get("name")
        name = _topic_of(message, intent) or tracker.get_slot("faq_topic")
        return self.answer(dispatcher, tracker, name)

    def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, name: str | None
    ) -> list[dict[str, Any]]:
        """Answers topic ``name`` for the candidate's situation (also a question asked in the
        middle of a form, which goes on after it)."""
        language = language_of(tracker)
        message = tracker.latest_message or {}
        known = direction.from_values(*(tracker.get_slot(slot) for slot in _SLOTS))
        said = _said(message)
        situation = direction.merge(known, said)
        events = _situation_events(known, situation)
        intent = (message.get("intent") or {}).get("name")

        text = str(message.get("text") or "")
        term = None if _button_entities(message) else questions.definition_asked(text)
        if term is not None:
            # "C'est quoi le formulaire A1 ?": what it is at once, then the personal answer offered.
            events.append(SlotSet("faq_topic", term.topic))
            dispatcher.utter_message(
                text=questions.render_term(term, language)
                + "\n\n"
                + messages.text(language, "faq.definition_offer"),
                buttons=[
                    topic_button(term.topic, language),
                    {"title": messages.text(language, "intent.ask_human"), "payload": "/ask_human"},
                ],
                language=language,
            )
            return events

        topic = knowledge.topics().get(name or "")
        if topic is None:
            # A situation without a question yet: acknowledge it and offer topics.
            noted = knowledge.situation_label(situation, language)
            text = " ".join(filter(None, [noted, messages.text(language, "faq.which_question")]))
            dispatcher.utter_message(
                text=text,
                buttons=_direction_topic_buttons(language),
                language=language,
            )
            return events

        events.append(SlotSet("faq_topic", topic.name))
        choice = knowledge.reply(topic, situation)
        if intent == DIRECTION_INTENT and said.is_empty():
            dispatcher.utter_message(
                text=messages.text(language, "faq.ask_direction"),
                buttons=_direction_buttons(language),
                language=language,
            )
        elif choice.missing in ("direction", "residence", "work"):
            # Only what is still unknown is asked, with the choices that fit what is known.
            dispatcher.utter_message(
                text=messages.text(language, f"faq.ask_{choice.missing}"),
                buttons=_direction_buttons(language, situation),
                language=language,
            )
        elif choice.missing == "region":
            dispatcher.utter_message(
                text=messages.text(language, "faq.ask_region"),
                buttons=_region_buttons(topic, language),
                language=language,
            )
        else:
            assert choice.key is not None
            dispatcher.utter_message(
                text=knowledge.render(topic, choice.key, language, self.services.settings),
                buttons=_follow_up_buttons(topic, language),
                language=language,
            )
        return events


def asked_topic(message: dict[str, Any], any_intent: bool = False) -> str | None:
    """The topic of the latest message: a topic button's entity, else the ResponseSelector's
    (only for the ``faq`` intent, unless ``any_intent``: a question inside a form)."""
    for entity in message.get("entities") or []:
        if entity.get("entity") == "faq_topic":
            return str(entity.get("value"))
    if not any_intent and (message.get("intent") or {}).get("name") != FAQ_INTENT:
        return None
    selected = (message.get("response_selector") or {}).get(FAQ_INTENT) or {}
    key = (selected.get("response") or {}).get("intent_response_key") or ""
    return key.split("/", 1)[1] if "/" in key else None


def _button_entities(message: dict[str, Any]) -> bool:
    """True when the message is a button's payload (it carries entities, not words)."""
    return str(message.get("text") or "").startswith("/")


def _topic_of(message: dict[str, Any], intent: str | None) -> str | None:
    """The topic the message asks about.

    A button's entity first; then, for a short follow-up that names a topic ("et la sécu ?",
    "en de kinderbijslag?"), that topic; then the ResponseSelector's; then any topic the
    words name ("j'habite à Lille, je bosse à Menin : et les impôts ?" classified as a
    situation). Contributions for two branches at once ask which system covers the worker.
    """
    for entity in message.get("entities") or []:
        if entity.get("entity") == "faq_topic":
            return str(entity.get("value"))
    text = str(message.get("text") or "")
    if questions.asks_which_system(text):
        return "social_security"
    named = None if _button_entities(message) else questions.topic_named(text)
    if named and questions.is_short(text):
        return named
    return asked_topic(message) or named


def _said(message: dict[str, Any]) -> Situation:
    """What the message says about the situation: button entities, else its text."""
    values = {
        _SLOTS[e["entity"]]: e.get("value")
        for e in message.get("entities") or []
        if e.get("entity") in _SLOTS
    }
    if values:
        return direction.from_values(
            values.get("residence"), values.get("work"), values.get("work_region")
        )
    return direction.read(str(message.get("text") or ""))


def _situation_events(known: Situation, situation: Situation) -> list[dict[str, Any]]:
    return [
        SlotSet(slot, getattr(situation, field))
        for slot, field in _SLOTS.items()
        if getattr(situation, field) != getattr(known, field)
    ]


def _payload(intent: str, entities: dict[str, str]) -> str:
    return f"/{intent}{json.dumps(entities)}" if entities else f"/{intent}"


def _direction_buttons(language: str, known: Situation | None = None) -> list[dict[str, str]]:
    """The situations to choose from; with ``known``, only those that agree with it."""
    to_belgium = {"residence_country": "fr", "work_country": "be"}
    choices = {
        "fr-be-flanders": {**to_belgium, "work_region": "flanders"},
        "fr-be-wallonia": {**to_belgium, "work_region": "wallonia"},
        "fr-be-brussels": {**to_belgium, "work_region": "brussels"},
        "be-fr": {"residence_country": "be", "work_country": "fr"},
    }
    if known is not None:
        fitting = {key: entities for key, entities in choices.items() if _agrees(known, entities)}
        choices = fitting or choices
    return [
        {
            "title": messages.text(language, f"faq.direction_button.{key}"),
            "payload": _payload(DIRECTION_INTENT, entities),
        }
        for key, entities in choices.items()
    ]


def _agrees(known: Situation, entities: dict[str, str]) -> bool:
    """True when a button's situation does not contradict what is known."""
    pairs = (
        (known.residence, entities.get("residence_country")),
        (known.work, entities.get("work_country")),
        (known.work_region, entities.get("work_region")),
    )
    return all(value is None or value == chosen for value, chosen in pairs)


def _region_buttons(topic: knowledge.Topic, language: str) -> list[dict[str, str]]:
    """One button per Belgian region the topic has its own answer for."""
    return [
        {
            "title": messages.text(language, f"faq.region_button.{region}"),
            "payload": _payload(
                DIRECTION_INTENT,
                {"residence_country": "fr", "work_country": "be", "work_region": region},
            ),
        }
        for region in knowledge.REGIONS
        if f"fr-be-{region}" in topic.answers
    ]


def topic_button(name: str, language: str) -> dict[str, str]:
    label = knowledge.topics()[name].label[language]
    return {"title": label, "payload": _payload(FAQ_INTENT, {"faq_topic": name})}


def _follow_up_buttons(topic: knowledge.Topic, language: str) -> list[dict[str, str]]:
    """Related topics, another situation where it matters, and a consultant."""
    buttons = [topic_button(name, language) for name in topic.related]
    if topic.direction_required:
        buttons.append(
            {
                "title": messages.text(language, "faq.change_situation"),
                "payload": _payload(DIRECTION_INTENT, {}),
            }
        )
    buttons.append({"title": messages.text(language, "intent.ask_human"), "payload": "/ask_human"})
    return buttons


def _direction_topic_buttons(language: str) -> list[dict[str, str]]:
    return [topic_button(name, language) for name in _SITUATION_TOPICS]
