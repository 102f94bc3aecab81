"""The intent classifier that averages Rasa's logistic regression with a model of the topics."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from bot.nlu.intent_classifier import (
    TOPIC_PROBABILITIES,
    LinearModel,
    TopicAwareIntentClassifier,
    blend,
)
from bot.nlu.language_detector import LanguageDetector
from bot.nlu.tokenizer import BilingualTokenizer


def test_blend_sums_the_topics_into_their_intent_and_averages() -> None:
    intents = ["faq", "greet", "list_info_sessions"]
    topics = ["faq/privacy", "faq/taxes", "greet", "list_info_sessions"]
    intent_probabilities = np.array([[0.30, 0.05, 0.65]])
    topic_probabilities = np.array([[0.50, 0.30, 0.05, 0.15]])
    blended = blend(intent_probabilities, intents, topic_probabilities, topics, 0.5)
    assert blended == pytest.approx(np.array([[0.55, 0.05, 0.40]]))
    assert blended.sum() == pytest.approx(1.0)
    assert blend(intent_probabilities, intents, topic_probabilities, topics, 0.0) is (
        intent_probabilities
    )


@pytest.mark.parametrize("classes", [["faq", "greet", "deny"], ["faq", "greet"]])
def test_probabilities_are_those_of_scikit_learn(classes: list[str]) -> None:
    rng = np.random.default_rng(7)
    features = csr_matrix(rng.random((60, 12)) * (rng.random((60, 12)) > 0.6))
    labels = [classes[i % len(classes)] for i in range(60)]
    model = LogisticRegression(max_iter=300).fit(features, labels)
    linear = LinearModel(model)
    assert linear.classes == list(model.classes_)
    assert linear.probabilities(features) == pytest.approx(model.predict_proba(features))
    assert linear.probabilities(features[3]) == pytest.approx(model.predict_proba(features[3]))


# Each FAQ topic has its own words; the small intent shares the word "infos" with privacy.
_TRAINING = {
    "faq/privacy": [
        "vous gardez mes infos",
        "effacez mes infos",
        "mes infos sont revendues",
        "supprimez mes données",
        "vous vendez mes données",
        "qui lit mes infos",
    ],
    "faq/taxes": [
        "je paie mes impôts où",
        "impôts en belgique",
        "déclaration d'impôts frontalier",
        "taxe sur mon salaire",
        "impôts sur le revenu",
        "qui prélève mes impôts",
    ],
    "faq/pension": [
        "ma pension de retraite",
        "retraite en belgique",
        "calcul de ma pension",
        "pension de frontalier",
        "âge de la retraite",
        "ma retraite sera payée où",
    ],
    "list_info_sessions": [
        "infos séances",
        "des infos sur les séances",
        "les séances d'infos",
        "prochaine séance",
    ],
    "greet": ["bonjour", "salut", "bonsoir", "coucou"],
}


@pytest.fixture
def pipeline(tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")

    def build(cls, name, config=None):
        merged = {**cls.get_default_config(), **(config or {})}
        return cls.create(merged, storage, Resource(name), context)

    components = [
        build(LanguageDetector, "detector"),
        build(BilingualTokenizer, "tokenizer"),
        build(CountVectorsFeaturizer, "words"),
    ]
    examples = []
    for full_name, texts in _TRAINING.items():
        intent, _, response = full_name.partition("/")
        for text in texts:
            data = {"text": text, "intent": intent}
            if response:
                data["intent_response_key"] = full_name
            examples.append(Message(data=data))
    training = TrainingData(examples)
    for component in components:
        if hasattr(component, "train"):
            component.train(training)
        component.process_training_data(training)

    def featurised(text: str) -> Message:
        message = Message.build(text)
        for component in components:
            component.process([message])
        return message

    return build, training, featurised, storage, context


def test_component_learns_the_topics_and_round_trips(pipeline) -> None:
    build, training, featurised, storage, context = pipeline
    ours = build(TopicAwareIntentClassifier, "intents", {"random_state": 0})
    ours.train(training)
    assert set(ours.topic_clf.classes_) >= {"faq/privacy", "faq/taxes", "faq/pension"}
    assert set(ours.clf.classes_) == {"faq", "list_info_sessions", "greet"}

    message = featurised("vous revendez mes infos")
    ours.process([message])
    ranking = message.get("intent_ranking")
    assert message.get("intent")["name"] == ranking[0]["name"] == "faq"
    assert sum(entry["confidence"] for entry in ranking) == pytest.approx(1.0)
    topics = message.get(TOPIC_PROBABILITIES)  # for FaqTopicVote, not in the parse output
    assert set(topics) == {"faq/privacy", "faq/taxes", "faq/pension"}
    assert max(topics, key=topics.get) == "faq/privacy"
    assert TOPIC_PROBABILITIES not in message.as_dict(only_output_properties=True)

    loaded = TopicAwareIntentClassifier.load({**ours.config}, storage, Resource("intents"), context)
    again = featurised("vous revendez mes infos")
    loaded.process([again])
    assert again.get("intent_ranking") == ranking


def test_the_topic_model_moves_a_topic_question_towards_faq(pipeline) -> None:
    build, training, featurised, _, _ = pipeline
    rasa_alone = build(LogisticRegressionClassifier, "rasa", {"random_state": 0})
    rasa_alone.train(training)
    ours = build(TopicAwareIntentClassifier, "ours", {"random_state": 0})
    ours.train(training)

    def faq_confidence(classifier) -> float:
        message = featurised("quelqu'un lit mes infos")
        classifier.process([message])
        return next(e["confidence"] for e in message.get("intent_ranking") if e["name"] == "faq")

    assert faq_confidence(ours) > faq_confidence(rasa_alone)


def test_without_a_topic_model_rasas_classifier_decides_alone(pipeline) -> None:
    build, training, featurised, storage, context = pipeline
    rasa_alone = build(LogisticRegressionClassifier, "old", {"random_state": 0})
    rasa_alone.train(training)  # a model trained before the topic model existed
    loaded = TopicAwareIntentClassifier.load(
        {**TopicAwareIntentClassifier.get_default_config(), "random_state": 0},
        storage,
        Resource("old"),
        context,
    )
    assert loaded.config["topic_weight"] == 0.0
    first, second = featurised("mes infos"), featurised("mes infos")
    rasa_alone.process([first])
    loaded.process([second])
    assert [e["name"] for e in second.get("intent_ranking")] == [
        e["name"] for e in first.get("intent_ranking")
    ]
    assert [e["confidence"] for e in second.get("intent_ranking")] == pytest.approx(
        [e["confidence"] for e in first.get("intent_ranking")]
    )
