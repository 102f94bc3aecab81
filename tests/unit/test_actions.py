from __future__ import annotations

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionDefaultAskAffirmation
from actions.language import ActionSetLanguage
from bot import messages
from bot.language import detect
from tests.conftest import make_tracker

DOMAIN = {"intents": ["greet", "help", {"ask_human": {"use_entities": True}}, "nlu_fallback"]}


async def _set_language(**kwargs) -> list:
    return await ActionSetLanguage().run(CollectingDispatcher(), make_tracker(**kwargs), DOMAIN)


async def test_first_message_sets_language_from_detection() -> None:
    events = await _set_language(text="goeiedag", language=detect("goeiedag").as_dict())
    assert events == [SlotSet("language", "nl")]


async def test_page_language_sets_language_of_ambiguous_first_message() -> None:
    events = await _set_language(
        text="ok", language=detect("ok").as_dict(), metadata={"language": "nl"}
    )
    assert events == [SlotSet("language", "nl")]


async def test_short_message_keeps_language_without_event() -> None:
    events = await _set_language(
        text="merci", language=detect("merci").as_dict(), slots={"language": "nl"}
    )
    assert events == []


async def test_switch_request_with_named_language() -> None:
    events = await _set_language(
        text="en français svp",
        intent="switch_language",
        slots={"language": "nl"},
        entities=[{"entity": "language", "value": "fr"}],
        language=detect("en français svp").as_dict(),
    )
    assert events == [SlotSet("language", "fr")]


async def test_switch_request_without_language_toggles() -> None:
    events = await _set_language(
        text="andere taal aub",
        intent="switch_language",
        slots={"language": "nl"},
        language=detect("andere taal aub").as_dict(),
    )
    assert events == [SlotSet("language", "fr")]


async def test_affirmation_offers_likely_topics_in_user_language() -> None:
    dispatcher = CollectingDispatcher()
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "help", "confidence": 0.3},
        {"name": "ask_human", "confidence": 0.2},
        {"name": "unknown_intent", "confidence": 0.1},
    ]
    tracker = make_tracker(intent="nlu_fallback", intent_ranking=ranking, slots={"language": "nl"})
    await ActionDefaultAskAffirmation().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_ask_affirmation"
    titles = [b["title"] for b in message["buttons"]]
    assert titles == [
        messages.text("nl", "intent.help"),
        messages.text("nl", "intent.ask_human"),
        messages.text("nl", "fallback.none_of_these"),
    ]
    assert [b["payload"] for b in message["buttons"]] == ["/help", "/ask_human", "/out_of_scope"]
