from __future__ import annotations

from pathlib import Path

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions._base import get_services
from actions.fallback import ActionDefaultAskAffirmation
from actions.faq import ActionAnswerFaq
from actions.language import ActionSetLanguage
from bot import knowledge, messages
from bot.knowledge.fallback import misunderstandings
from bot.language.detection import detect
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
    # And the greeting is said in both languages, Dutch first (language_unsure).
    assert events == [SlotSet("language", "nl"), SlotSet("language_unsure", True)]


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


async def test_a_flemish_name_in_a_french_callback_form_keeps_french() -> None:
    name = "Jan Vandenberghe"
    assert detect(name).name == "nl" and detect(name).confidence > 0.9
    asked = {"language": "fr", "requested_slot": "callback_name"}
    events = await _set_language(
        text=name, language=detect(name).as_dict(), slots=asked, active_loop="callback_form"
    )
    assert events == []
    # Outside the form, the same words would switch.
    assert await _set_language(
        text=name, language=detect(name).as_dict(), slots={"language": "fr"}
    ) == [SlotSet("language", "nl")]


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


def _unclear(count: int, session_start_after: int | None = None) -> list[dict]:
    """Earlier events: ``count`` unclear user messages, with a session start after some."""
    events: list[dict] = []
    for number in range(count):
        if number == session_start_after:
            events.append({"event": "session_started"})
        parse = {"intent": {"name": "nlu_fallback", "confidence": 0.3}}
        events += [{"event": "user", "text": "hmm", "parse_data": parse}, {"event": "bot"}]
    return events


async def test_third_misunderstanding_offers_a_consultant_instead_of_topics() -> None:
    second, third = CollectingDispatcher(), CollectingDispatcher()
    ranking = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "help", "confidence": 0.3}]
    kwargs = {"intent": "nlu_fallback", "intent_ranking": ranking, "slots": {"language": "fr"}}
    await ActionDefaultAskAffirmation().run(
        second, make_tracker(history=_unclear(1), **kwargs), DOMAIN
    )
    await ActionDefaultAskAffirmation().run(
        third, make_tracker(history=_unclear(2), **kwargs), DOMAIN
    )
    assert [m["response"] for m in second.messages] == ["utter_ask_affirmation"]
    assert [m["response"] for m in third.messages] == ["utter_default"]


def test_misunderstandings_are_counted_per_session() -> None:
    assert misunderstandings(_unclear(3)) == 3
    assert misunderstandings(_unclear(3, session_start_after=2)) == 1
    clear = [{"event": "user", "parse_data": {"intent": {"name": "greet"}}}]
    assert misunderstandings(clear + _unclear(2)) == 2


# --- action_answer_faq ----------------------------------------------------------------------


async def _answer_faq(**kwargs) -> tuple[CollectingDispatcher, list]:
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerFaq().run(dispatcher, make_tracker(**kwargs), DOMAIN)
    return dispatcher, events


def _slots(events: list) -> dict:
    return {event["name"]: event["value"] for event in events if event["event"] == "slot"}


async def test_faq_asks_the_direction_with_buttons_when_unknown() -> None:
    dispatcher, events = await _answer_faq(
        text="je paie mes impôts où ?", intent="faq", faq_topic="taxes", slots={"language": "fr"}
    )
    [message] = dispatcher.messages
    assert message["text"] == messages.text("fr", "faq.ask_direction")
    payloads = [button["payload"] for button in message["buttons"]]
    assert len(payloads) == 4 and all(p.startswith("/inform_direction{") for p in payloads)
    assert _slots(events) == {"faq_topic": "taxes"}


async def test_faq_states_the_configured_retention_period(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOT_RETENTION_DAYS", "30")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    get_services.cache_clear()
    try:
        dispatcher, _ = await _answer_faq(
            text="que gardez-vous de mes données ?",
            intent="faq",
            faq_topic="privacy",
            slots={"language": "fr"},
        )
    finally:
        get_services.cache_clear()  # the next test reads its own environment
    [message] = dispatcher.messages
    assert "30 jours après le dernier message" in message["text"]
    assert "180" not in message["text"]


async def test_faq_answers_for_the_situation_given_in_the_question() -> None:
    dispatcher, events = await _answer_faq(
        text="ik woon in Rijsel en werk in Kortrijk, waar betaal ik belastingen?",
        intent="faq",
        faq_topic="taxes",
        slots={"language": "nl"},
    )
    [message] = dispatcher.messages
    topic = knowledge.topics()["taxes"]
    assert message["text"] == knowledge.render(topic, "fr-be", "nl")
    assert _slots(events) == {
        "residence_country": "fr",
        "work_country": "be",
        "work_region": "flanders",
        "faq_topic": "taxes",
    }
    titles = [button["title"] for button in message["buttons"]]
    assert messages.text("nl", "intent.ask_human") in titles
    assert messages.text("nl", "faq.change_situation") in titles


async def test_direction_button_answers_the_pending_topic() -> None:
    entities = [
        {"entity": "residence_country", "value": "be"},
        {"entity": "work_country", "value": "fr"},
    ]
    dispatcher, events = await _answer_faq(
        intent="inform_direction",
        entities=entities,
        slots={"language": "fr", "faq_topic": "social_security"},
    )
    topic = knowledge.topics()["social_security"]
    assert dispatcher.messages[0]["text"] == knowledge.render(topic, "be-fr", "fr")
    assert _slots(events)["work_country"] == "fr"


async def test_what_if_i_worked_in_france_answers_again_for_the_other_direction() -> None:
    known = {"residence_country": "fr", "work_country": "be", "work_region": "wallonia"}
    dispatcher, events = await _answer_faq(
        text="et si je travaille en France ?",
        intent="inform_direction",
        slots={"language": "fr", "faq_topic": "health_insurance", **known},
    )
    topic = knowledge.topics()["health_insurance"]
    assert dispatcher.messages[0]["text"] == knowledge.render(topic, "be-fr", "fr")
    assert _slots(events) == {
        "residence_country": "be",
        "work_country": "fr",
        "work_region": None,
        "faq_topic": "health_insurance",
    }


async def test_region_is_asked_when_the_belgian_regions_differ() -> None:
    dispatcher, _ = await _answer_faq(
        text="kindergeld?",
        intent="faq",
        faq_topic="family_allowances",
        slots={"language": "nl", "residence_country": "fr", "work_country": "be"},
    )
    assert dispatcher.messages[0]["text"] == messages.text("nl", "faq.ask_region")
    titles = [button["title"] for button in dispatcher.messages[0]["buttons"]]
    assert titles == ["In Vlaanderen", "In Wallonië", "In Brussel"]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "fr",
            "j'habite à Halluin et mon employeur est à Bruxelles, et les allocs pour mon fils ?",
        ),
        ("nl", "ik woon in Duinkerke en mijn job is in Brussel, hoe zit het met het kindergeld?"),
    ],
)
async def test_family_allowances_for_a_job_in_brussels_are_answered_with_famiris(
    language: str, text: str
) -> None:
    dispatcher, events = await _answer_faq(
        text=text, intent="faq", faq_topic="family_allowances", slots={"language": language}
    )
    [message] = dispatcher.messages
    assert "Famiris" in message["text"]
    assert message["text"] != messages.text(language, "faq.ask_region")
    assert _slots(events)["work_region"] == "brussels"


async def test_topic_button_is_answered_without_nlu_and_general_topics_need_no_direction() -> None:
    dispatcher, _ = await _answer_faq(
        intent="faq",
        entities=[{"entity": "faq_topic", "value": "wages"}],
        slots={"language": "nl"},
    )
    assert dispatcher.messages[0]["text"] == knowledge.render(
        knowledge.topics()["wages"], "general", "nl"
    )


async def test_change_situation_button_asks_the_direction_again() -> None:
    known = {"residence_country": "fr", "work_country": "be", "work_region": "flanders"}
    dispatcher, events = await _answer_faq(
        intent="inform_direction", slots={"language": "fr", "faq_topic": "taxes", **known}
    )
    assert dispatcher.messages[0]["text"] == messages.text("fr", "faq.ask_direction")


async def test_situation_without_a_question_is_acknowledged_in_the_right_language() -> None:
    dispatcher, events = await _answer_faq(
        text="ik woon in Menen en werk in Halluin",
        intent="inform_direction",
        slots={"language": "nl"},
    )
    [message] = dispatcher.messages
    assert message["text"].startswith(messages.text("nl", "faq.noted.be-fr"))
    assert message["buttons"] and _slots(events)["residence_country"] == "be"


async def test_fallback_offers_the_selected_faq_topic_with_its_label() -> None:
    ranking = [{"name": "faq", "confidence": 0.45}, {"name": "help", "confidence": 0.3}]
    tracker = make_tracker(
        text="frontalier chomage ?",
        intent="nlu_fallback",
        intent_ranking=ranking,
        slots={"language": "nl"},
        faq_topic="unemployment_benefits",
    )
    dispatcher = CollectingDispatcher()
    domain = {"intents": ["help", {"faq": {"is_retrieval_intent": True}}]}
    await ActionDefaultAskAffirmation().run(dispatcher, tracker, domain)
    buttons = dispatcher.messages[0]["buttons"]
    label = knowledge.topics()["unemployment_benefits"].label["nl"]
    assert buttons[0] == {
        "title": label,
        "payload": '/faq{"faq_topic": "unemployment_benefits"}',
    }
    assert buttons[1]["payload"] == "/help"


# --- issue 20: read the situation, answer the question ------------------------------------

FR_FLANDERS_SLOTS = {"residence_country": "fr", "work_country": "be", "work_region": "flanders"}


@pytest.mark.parametrize(
    ("language", "text", "topic", "expected"),
    [
        (
            "fr",
            "frontalier belge depuis 2015, je déclare mon salaire où ?",
            "taxes",
            "impôt des non-résidents",
        ),
        (
            "fr",
            "mon contrat à Roulers se termine, j'habite Bailleul : qui paiera le chômage ?",
            "unemployment_benefits",
            "France Travail",
        ),
        (
            "nl",
            "ik woon aan de Franse kant en begin binnenkort in Ieper, welk ziekenfonds?",
            "health_insurance",
            "S1-formulier",
        ),
        (
            "nl",
            "ik werkte in Halluin en woon in Wevelgem, wie betaalt nu mijn uitkering?",
            "unemployment_benefits",
            "VDAB",
        ),
    ],
)
async def test_situation_and_question_in_one_message_are_answered_at_once(
    language: str, text: str, topic: str, expected: str
) -> None:
    dispatcher, _ = await _answer_faq(
        text=text, intent="faq", faq_topic=topic, slots={"language": language}
    )
    [message] = dispatcher.messages
    assert expected in message["text"]
    for question in ("ask_direction", "ask_residence", "ask_work", "which_question"):
        assert messages.text(language, f"faq.{question}") not in message["text"]


@pytest.mark.parametrize(
    ("language", "text", "asked", "buttons"),
    [
        (
            "fr",
            "je vais bosser à Tournai, c'est où que je paie mes impôts ?",
            "ask_residence",
            ["fr-be-wallonia"],
        ),
        (
            "nl",
            "ik ga in Rijsel werken, waar betaal ik dan belastingen?",
            "ask_residence",
            ["be-fr"],
        ),
        (
            "fr",
            "j'habite Dunkerque, comment ça se passe pour la sécu ?",
            "ask_work",
            ["fr-be-flanders", "fr-be-wallonia", "fr-be-brussels"],
        ),
        (
            "nl",
            "ik woon in Veurne, hoe zit het met mijn sociale zekerheid?",
            "ask_work",
            ["be-fr"],
        ),
    ],
)
async def test_only_what_is_unknown_is_asked(
    language: str, text: str, asked: str, buttons: list[str]
) -> None:
    topic = "taxes" if "imp" in text or "belast" in text else "social_security"
    dispatcher, _ = await _answer_faq(
        text=text, intent="faq", faq_topic=topic, slots={"language": language}
    )
    [message] = dispatcher.messages
    assert message["text"] == messages.text(language, f"faq.{asked}")
    titles = [button["title"] for button in message["buttons"]]
    assert titles == [messages.text(language, f"faq.direction_button.{key}") for key in buttons]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "je suis belge, où dois-je payer mes impôts ?"),
        ("nl", "ik ben Fransman, waar betaal ik belastingen?"),
    ],
)
async def test_nationality_alone_asks_where_one_lives_and_works(language: str, text: str) -> None:
    dispatcher, events = await _answer_faq(
        text=text, intent="faq", faq_topic="taxes", slots={"language": language}
    )
    [message] = dispatcher.messages
    assert message["text"] == messages.text(language, "faq.ask_direction")
    assert "residence_country" not in _slots(events)


@pytest.mark.parametrize(
    ("language", "text", "selected", "says", "offered"),
    [
        (
            "fr",
            "Le formulaire S1, c'est quoi au juste ?",
            "health_insurance",
            "mutualité belge ou CPAM",
            "health_insurance",
        ),
        ("fr", "C'est quoi le 276 frontalier ?", "taxes", "fin 2033", "taxes"),
        ("fr", "c'est qui Famiris ?", "family_allowances", "Bruxelles", "family_allowances"),
        ("nl", "Wat houdt een A1-attest in?", "social_security", "RSZ", "social_security"),
        ("nl", "U1?", "unemployment_benefits", "RVA", "unemployment_benefits"),
        (
            "nl",
            "wat is het statuut van grensarbeider?",
            "frontier_worker",
            "één keer per week",
            "frontier_worker",
        ),
    ],
)
async def test_a_definition_question_is_answered_at_once_then_the_personal_answer_offered(
    language: str, text: str, selected: str, says: str, offered: str
) -> None:
    dispatcher, events = await _answer_faq(
        text=text, intent="faq", faq_topic=selected, slots={"language": language}
    )
    [message] = dispatcher.messages
    assert says in message["text"]
    assert "https://" in message["text"]
    assert not message["text"].startswith(messages.text(language, "faq.ask_direction"))
    assert messages.text(language, "faq.definition_offer") in message["text"]
    label = knowledge.topics()[offered].label[language]
    assert message["buttons"][0]["title"] == label
    assert _slots(events)["faq_topic"] == offered


@pytest.mark.parametrize(
    ("language", "text", "selected", "expected"),
    [
        # The selector may pick the previous topic again; the words of the follow-up win.
        ("fr", "et la sécu ?", "taxes", "ONSS"),
        ("fr", "Et niveau mutuelle ?", None, "CPAM"),
        ("nl", "en de kinderbijslag?", "taxes", "Groeipakket"),
        ("nl", "en wat met mijn pensioen dan?", None, "66 jaar"),
    ],
)
async def test_a_short_follow_up_answers_its_topic_for_the_known_situation(
    language: str, text: str, selected: str | None, expected: str
) -> None:
    dispatcher, events = await _answer_faq(
        text=text,
        intent="faq",
        faq_topic=selected,
        slots={"language": language, "faq_topic": "taxes", **FR_FLANDERS_SLOTS},
    )
    [message] = dispatcher.messages
    assert expected in message["text"]
    assert "residence_country" not in _slots(events)


async def test_a_situation_classified_as_such_still_answers_the_topic_it_names() -> None:
    dispatcher, _ = await _answer_faq(
        text="je vis à Comines côté français et je bosse à Menin depuis 2019, et pour les impôts ?",
        intent="inform_direction",
        slots={"language": "fr"},
    )
    [message] = dispatcher.messages
    assert "impôt des non-résidents" in message["text"]


async def test_a_hesitation_between_two_acting_intents_offers_those_two() -> None:
    dispatcher = CollectingDispatcher()
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.44},
        {"name": "cancel_booking", "confidence": 0.44},
        {"name": "faq", "confidence": 0.3},
        {"name": "book_info_session", "confidence": 0.2},
    ]
    # Even after two misunderstandings: the question is narrow, not a dead end.
    tracker = make_tracker(
        intent="nlu_fallback", intent_ranking=ranking, slots={"language": "nl"}, history=_unclear(2)
    )
    await ActionDefaultAskAffirmation().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_ask_affirmation"
    assert [(b["title"], b["payload"]) for b in message["buttons"]] == [
        (messages.text("nl", "intent.cancel_booking"), "/cancel_booking"),
        (messages.text("nl", "intent.book_info_session"), "/book_info_session"),
    ]
