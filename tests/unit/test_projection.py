"""The projection's fold: one summary per conversation, from its events alone."""

from __future__ import annotations

import itertools

import pytest

from bot.console import summary as projection
from bot.storage.rasa_events import StoredEvent
from tests.console_factories import action, bot, greeting, slot, user

_ids = itertools.count(1)


def _events(*dicts: dict, sender: str = "s1") -> list[StoredEvent]:
    return [StoredEvent(next(_ids), sender, d["event"], d["timestamp"], d) for d in dicts]


def test_counts_messages_and_keeps_faq_topics_as_intents() -> None:
    events = _events(
        *greeting(),
        user("impôts frontalier ?", "faq", 0.9, faq="taxes"),
        bot("Les impôts..."),
        user("je cherche un job", "search_vacancies", 0.8),
    )
    summary = projection.apply(None, events).summary
    assert summary.user_messages == 3
    assert summary.bot_messages == 2
    assert summary.intents == {"greet", "faq/taxes", "search_vacancies"}
    assert summary.channel == "socketio"
    assert summary.first_at <= summary.last_at


def test_language_slot_wins_over_the_detection_of_later_messages() -> None:
    events = _events(
        *greeting("Dag", "nl"),
        user("merci beaucoup pour tout", "thank", 0.9, language="fr", language_confidence=0.99),
    )
    assert projection.apply(None, events).summary.language == "nl"


def test_without_a_language_slot_a_sure_detection_names_the_language() -> None:
    events = _events(
        user("ok", "affirm", 0.9, language="fr", language_confidence=0.5),
        user("ik zoek werk in Kortrijk", "search_vacancies", 0.9, "nl", 0.95),
    )
    assert projection.apply(None, events).summary.language == "nl"


def test_nlu_fallback_message_is_counted_once_and_goes_to_the_inbox() -> None:
    events = _events(
        user(
            "blorfzak",
            "nlu_fallback",
            0.3,
            ranking=[
                {"name": "nlu_fallback", "confidence": 0.3},
                {"name": "help", "confidence": 0.25},
            ],
        ),
        action("action_two_stage_fallback"),
        action("action_default_ask_affirmation"),
    )
    update = projection.apply(None, events)
    assert update.summary.fallbacks == 1 and update.summary.fallback
    assert [m.text for m in update.inbox] == ["blorfzak"]
    assert update.inbox[0].suggested_intent == "help"


def test_fallback_action_after_a_confident_message_flags_that_message() -> None:
    events = _events(user("euh le truc là", "help", 0.92), action("action_default_fallback"))
    update = projection.apply(None, events)
    assert update.summary.fallbacks == 1
    assert [(m.text, m.fallback) for m in update.inbox] == [("euh le truc là", True)]


def test_fallback_action_in_a_later_batch_still_flags_the_last_message() -> None:
    first = projection.apply(None, _events(user("euh le truc là", "help", 0.92)))
    assert first.inbox == []
    later = projection.apply(first.summary, _events(action("action_default_fallback")))
    assert [(m.text, m.fallback) for m in later.inbox] == [("euh le truc là", True)]
    assert later.summary.fallbacks == 1


@pytest.mark.parametrize("confidence, expected", [(0.59, 1), (0.6, 0), (0.95, 0)])
def test_messages_below_the_confidence_threshold_go_to_the_inbox(
    confidence: float, expected: int
) -> None:
    update = projection.apply(None, _events(user("hmm", "help", confidence)), 0.6)
    assert len(update.inbox) == expected


def test_asking_for_a_person_and_a_confirmed_booking_set_their_flags() -> None:
    events = _events(
        user("je veux parler à quelqu'un", "ask_human", 0.9),
        user("oui", "affirm", 0.9),
        bot("C'est noté : BK-7KQ2", "utter_booking_confirmed"),
    )
    summary = projection.apply(None, events).summary
    assert summary.handoff and summary.booking


def test_applying_in_two_batches_gives_the_same_summary_as_in_one() -> None:
    events = _events(
        *greeting(),
        user("blorfzak", "nlu_fallback", 0.2),
        action("action_two_stage_fallback"),
        user("les impôts", "faq", 0.55, faq="taxes"),
        slot("language", "nl"),
        bot("Belastingen...", "utter_faq"),
    )
    whole = projection.apply(None, events)
    for cut in range(1, len(events)):
        first = projection.apply(None, events[:cut])
        second = projection.apply(first.summary, events[cut:])
        assert second.summary == whole.summary, cut
        keys = {m.key: m.fallback for m in first.inbox + second.inbox}
        assert keys == {m.key: m.fallback for m in whole.inbox}, cut


def test_search_words_are_folded_and_bounded() -> None:
    events = _events(
        user("Je cherche un EMPLOI à Liège, 2 jours"), *(user(f"mot{n} " * 3) for n in range(500))
    )
    summary = projection.apply(None, events).summary
    assert {"je", "cherche", "emploi", "liege", "jours"} <= summary.words
    assert "2" not in summary.words and "a" not in summary.words
    assert len(summary.words) == projection.MAX_WORDS


def test_summary_state_round_trips_through_json() -> None:
    import json

    summary = projection.apply(None, _events(user("hmm", "help", 0.2))).summary
    state = json.loads(json.dumps(summary.state()))
    assert projection.UserMessage.from_dict(state["last_user"]) == summary.last_user


def test_the_fallback_loop_understanding_a_rephrasing_is_no_new_fallback() -> None:
    """What Rasa 3.6 stores when the two-stage fallback understands the rephrased message."""
    rephrased = user("mon adresse est jo@example.org", "faq", 0.67, faq="privacy")
    events = _events(
        user("blorfzak", "nlu_fallback", 0.3),
        action("action_two_stage_fallback"),
        {
            "event": "active_loop",
            "timestamp": rephrased["timestamp"] - 1,
            "name": "action_two_stage_fallback",
        },
        rephrased,
        action("action_two_stage_fallback"),
        {"event": "active_loop", "timestamp": rephrased["timestamp"] + 1, "name": None},
        {"event": "rewind", "timestamp": rephrased["timestamp"] + 2},
        {**rephrased, "timestamp": rephrased["timestamp"] + 3},
        action("action_answer_faq"),
    )
    update = projection.apply(None, events)
    assert update.summary.user_messages == 2
    assert update.summary.fallbacks == 1
    assert [m.text for m in update.inbox] == ["blorfzak"]


def test_a_share_of_confident_messages_is_sampled_the_same_way_each_time() -> None:
    events = _events(*(user(f"message {n}", "greet", 0.97) for n in range(1000)))
    sampled = projection.apply(None, events, 0.6, inbox_sample=0.1).inbox
    again = projection.apply(None, events, 0.6, inbox_sample=0.1).inbox
    assert 60 <= len(sampled) <= 140 and sampled == again
    assert {m.reason for m in sampled} == {"sample"}
    assert projection.apply(None, events, 0.6, inbox_sample=0.0).inbox == []


def test_an_answer_to_a_personal_question_of_a_form_is_no_inbox_material() -> None:
    events = _events(
        slot("requested_slot", "callback_name"),
        user("Jan Peeters", "nlu_fallback", 0.2, "nl"),
        action("action_default_fallback"),
        slot("requested_slot", "session_id"),  # not personal: "de eerste" is NLU material
        user("de eerste", "inform", 0.3, "nl"),
    )
    update = projection.apply(None, events, 0.6, inbox_sample=1.0)
    assert [m.text for m in update.inbox] == ["de eerste"]
    assert update.summary.fallbacks == 0 and update.summary.user_messages == 2
