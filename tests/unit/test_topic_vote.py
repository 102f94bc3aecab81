"""FaqTopicVote: the FAQ topic chosen on the average of two models."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.intent_classifier import TOPIC_PROBABILITIES
from bot.nlu.topic_vote import FaqTopicVote, vote


def test_vote_averages_and_ranks_best_first() -> None:
    selector = [
        {"intent_response_key": "faq/taxes", "confidence": 0.6},
        {"intent_response_key": "faq/pension", "confidence": 0.4},
    ]
    # The topic model's probabilities are rescaled over the topics (0.2 + 0.6 = 0.8 here).
    ranking = vote(selector, {"faq/taxes": 0.2, "faq/pension": 0.6}, 0.5)
    assert [e["intent_response_key"] for e in ranking] == ["faq/pension", "faq/taxes"]
    assert ranking[0]["confidence"] == pytest.approx(0.5 * 0.4 + 0.5 * 0.75)
    assert ranking[1]["confidence"] == pytest.approx(0.5 * 0.6 + 0.5 * 0.25)
    assert vote(selector, {"faq/pension": 1.0}, 0.0)[0]["intent_response_key"] == "faq/taxes"


def test_vote_keeps_the_length_of_the_selector_ranking() -> None:
    selector = [{"intent_response_key": "faq/taxes", "confidence": 1.0}]
    topics = {"faq/taxes": 0.1, "faq/pension": 0.5, "faq/wages": 0.4}
    assert [e["intent_response_key"] for e in vote(selector, topics, 0.5)] == ["faq/taxes"]


_RESPONSES = {
    "utter_faq/taxes": [{"text": "Impôts"}],
    "utter_faq/pension": [{"text": "Pension"}],
}


def _message(selected: str) -> Message:
    message = Message.build("ma retraite, je la touche où ?")
    message.set(
        "response_selector",
        {
            "all_retrieval_intents": ["faq"],
            "faq": {
                "response": {
                    "responses": _RESPONSES[f"utter_{selected}"],
                    "confidence": 0.55,
                    "intent_response_key": selected,
                    "utter_action": f"utter_{selected}",
                },
                "ranking": [
                    {"intent_response_key": "faq/taxes", "confidence": 0.55},
                    {"intent_response_key": "faq/pension", "confidence": 0.45},
                ],
            },
        },
        add_to_output=True,
    )
    message.set(TOPIC_PROBABILITIES, {"faq/taxes": 0.1, "faq/pension": 0.9})
    return message


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path), ExecutionContext(GraphSchema({}), "test")


def test_component_rewrites_the_selector_output_in_its_own_shape(storage) -> None:
    model_storage, context = storage
    config = FaqTopicVote.get_default_config()
    component = FaqTopicVote.create(config, model_storage, Resource("vote"), context)
    component.train(TrainingData(responses={**_RESPONSES, "utter_greet": [{"text": "hi"}]}))
    loaded = FaqTopicVote.load(config, model_storage, Resource("vote"), context)

    message = _message("faq/taxes")
    loaded.process([message])
    output = message.as_dict(only_output_properties=True)["response_selector"]
    assert output["all_retrieval_intents"] == ["faq"]
    response = output["faq"]["response"]
    assert response["intent_response_key"] == "faq/pension"
    assert response["utter_action"] == "utter_faq/pension"
    assert response["responses"] == [{"text": "Pension"}]
    assert response["confidence"] == pytest.approx(0.5 * 0.45 + 0.5 * 0.9)
    assert [e["intent_response_key"] for e in output["faq"]["ranking"]] == [
        "faq/pension",
        "faq/taxes",
    ]


def test_without_a_trained_vote_the_selector_decides(storage) -> None:
    model_storage, context = storage
    config = FaqTopicVote.get_default_config()
    untrained = FaqTopicVote.load(config, model_storage, Resource("never-trained"), context)
    message = _message("faq/taxes")
    untrained.process([message])
    assert message.get("response_selector")["faq"]["response"]["intent_response_key"] == (
        "faq/taxes"
    )


def test_messages_without_a_topic_question_are_left_alone(storage) -> None:
    model_storage, context = storage
    config = FaqTopicVote.get_default_config()
    component = FaqTopicVote.create(config, model_storage, Resource("vote"), context)
    message = Message.build("bonjour")
    component.process([message])
    assert message.get("response_selector") is None
