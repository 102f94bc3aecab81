"""The cross-border conversation benchmark: its fixtures are well formed, its reading is right."""

from __future__ import annotations

import pytest

from benchmarks import faq_dialogues
from bot import knowledge, messages
from bot.knowledge import questions


@pytest.mark.parametrize("language", faq_dialogues.LANGUAGES)
def test_each_language_has_at_least_sixty_conversations_with_valid_expectations(
    language: str,
) -> None:
    stories = faq_dialogues.conversations(language)
    assert len(stories) >= 60
    topics, terms = knowledge.topics(), questions.glossary()
    for story in stories:
        for turn in story["turns"]:
            assert ("user" in turn) != ("payload" in turn), story["name"]
            kind, *rest = turn["expect"].split()
            if kind == "answer":
                assert rest[0] in topics, story["name"]
                assert len(rest) == 1 or rest[1] in topics[rest[0]].answers, story["name"]
            elif kind == "ask":
                assert rest[0] in ("direction", "residence", "work", "region", "question")
            else:
                assert kind == "define" and rest[0] in terms, story["name"]
            if "payload" in turn:
                faq_dialogues.payload_parse(turn["payload"])


def test_outcomes_are_read_from_the_replies() -> None:
    taxes = knowledge.topics()["taxes"]
    answer = knowledge.render(taxes, "be-fr", "nl")
    assert faq_dialogues.outcome(answer, "nl") == "answer taxes be-fr"
    asked = messages.text("fr", "faq.ask_residence")
    assert faq_dialogues.outcome(asked, "fr") == "ask residence"
    term = questions.glossary()["s1"]
    defined = (
        questions.render_term(term, "fr") + "\n\n" + messages.text("fr", "faq.definition_offer")
    )
    assert faq_dialogues.outcome(defined, "fr") == "define s1"
    assert faq_dialogues.outcome("Bonjour !", "fr") == "unknown reply"


def test_a_topic_without_situation_accepts_any_situation_and_nothing_else() -> None:
    assert faq_dialogues.passes("answer social_security", "answer social_security fr-be")
    assert not faq_dialogues.passes("answer social_security", "answer taxes fr-be")
    assert not faq_dialogues.passes("answer taxes fr-be", "answer taxes be-fr")
    assert faq_dialogues.payload_parse('/faq{"faq_topic": "taxes"}')["entities"] == [
        {"entity": "faq_topic", "value": "taxes"}
    ]
