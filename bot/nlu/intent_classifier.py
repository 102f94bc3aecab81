"""Intent classifier: Rasa's logistic regression, helped by one that knows the FAQ topics."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANKING_LENGTH
from scipy.special import softmax
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

logger = logging.getLogger(__name__)

_TOPIC_FILE_SUFFIX = "_topics.skops"
# The message property with the topic model's probability of each retrieval intent topic.
TOPIC_PROBABILITIES = "retrieval_topic_probabilities"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class TopicAwareIntentClassifier(LogisticRegressionClassifier):
    """Averages Rasa's intent model with a model of the full retrieval intents.

    ``faq`` gathers twenty topics, about 1,400 examples per language, while every other intent
    has fewer than 200. With balanced class weights, one linear model sees the FAQ as a
    single broad class, and a message close to one topic loses to a small intent that shares
    one word with it ("vous revendez mes infos à des employeurs ?" went to
    ``list_info_sessions`` for "infos"). A second model learns ``faq/privacy``,
    ``faq/taxes``… as classes of their own; its topic probabilities summed into ``faq`` are
    averaged with the first model's (docs/decisions.md, "Intents: a second model for the
    FAQ topics"). Its probabilities of the topics themselves are left on the message for
    ``bot.nlu.topic_vote.FaqTopicVote``, which averages them with the ResponseSelector's.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # The share of the topic model in the average (0 is Rasa's classifier alone).
        return {**LogisticRegressionClassifier.get_default_config(), "topic_weight": 0.5}

    def __init__(
        self, config: dict[str, Any], name: str, model_storage: ModelStorage, resource: Resource
    ) -> None:
        super().__init__(config, name, model_storage, resource)
        self.topic_clf: LogisticRegression = clone(self.clf)
        # Both fitted models as plain arrays, made on the first message.
        self._linear: tuple[LinearModel, LinearModel | None] | None = None

    def train(self, training_data: TrainingData) -> Resource:
        """Fit both models on the same features: intents, then full retrieval intents."""
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            return self._resource
        features = self._create_X(examples)
        self.clf.fit(features, [e.get(INTENT) for e in examples])
        self.topic_clf.fit(
            features, [e.get(INTENT_RESPONSE_KEY) or e.get(INTENT) for e in examples]
        )
        self._linear = None
        self.persist()
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        """Set the intent and the ranking from the averaged probabilities."""
        if not messages:
            return messages
        if self._linear is None:
            weighed = self.config["topic_weight"] > 0.0
            self._linear = LinearModel(self.clf), LinearModel(self.topic_clf) if weighed else None
        intents, topics = self._linear
        features = self._create_X(messages)
        probabilities = intents.probabilities(features)
        if topics is not None:
            topic_probabilities = topics.probabilities(features)
            probabilities = blend(
                probabilities,
                intents.classes,
                topic_probabilities,
                topics.classes,
                self.config["topic_weight"],
            )
            for message, row in zip(messages, topic_probabilities, strict=True):
                # For FaqTopicVote, after the ResponseSelector (not in the parse output).
                message.set(
                    TOPIC_PROBABILITIES,
                    {n: float(p) for n, p in zip(topics.classes, row, strict=True) if "/" in n},
                )
        for message, row in zip(messages, probabilities, strict=True):
            ranking = [
                {"name": intents.classes[i], "confidence": float(row[i])}
                for i in np.argsort(-row, kind="stable")
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            if self.config[RANKING_LENGTH] > 0:
                ranking = ranking[: self.config[RANKING_LENGTH]]
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    def persist(self) -> None:
        """Save the topic model next to the file Rasa's classifier saves."""
        import skops.io as sio

        super().persist()
        with self._model_storage.write_to(self._resource) as model_dir:
            sio.dump(self.topic_clf, model_dir / f"{self._resource.name}{_TOPIC_FILE_SUFFIX}")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TopicAwareIntentClassifier:
        """Load both models; without a trained topic model, Rasa's classifier decides alone."""
        import skops.io as sio

        component = super().load(config, model_storage, resource, execution_context, **kwargs)
        assert isinstance(component, cls)
        try:
            with model_storage.read_from(resource) as model_dir:
                path = model_dir / f"{resource.name}{_TOPIC_FILE_SUFFIX}"
                # Like Rasa's classifier: a file with types skops does not trust is refused.
                if sio.get_untrusted_types(file=path):
                    raise ValueError(f"untrusted types in {path}")
                component.topic_clf = sio.load(path, trusted=[])
                component._linear = None
        except (ValueError, OSError):
            logger.debug("No topic model in %s: the intent model decides alone.", resource.name)
            component.config = {**component.config, "topic_weight": 0.0}
        return component


class LinearModel:
    """A fitted multinomial logistic regression as the product of arrays that it is.

    scikit-learn's ``predict_proba`` checks its input on every call: 0.7 to 1.4 ms for one
    message here, against 0.04 ms for the product with the coefficients laid out in memory
    the way the product reads them. A model of two classes keeps ``predict_proba``.
    """

    def __init__(self, model: LogisticRegression) -> None:
        self.classes = [str(name) for name in model.classes_]
        self._binary = model if len(self.classes) < 3 else None
        self._weights = np.ascontiguousarray(model.coef_.T)
        self._intercept = model.intercept_

    def probabilities(self, features: Any) -> np.ndarray:
        """One row per message (a sparse matrix), one column per class of ``classes``."""
        if self._binary is not None:
            return self._binary.predict_proba(features)
        return softmax(np.asarray(features @ self._weights) + self._intercept, axis=1)


def blend(
    intent_probabilities: np.ndarray,
    intents: list[str],
    topic_probabilities: np.ndarray,
    topics: list[str],
    topic_weight: float,
) -> np.ndarray:
    """Average the intent probabilities with the topic ones summed per intent.

    Args:
        intent_probabilities: one row per message, one column per name of ``intents``.
        intents: intent names (``faq``, ``greet``…).
        topic_probabilities: one row per message, one column per name of ``topics``.
        topics: full retrieval intent names (``faq/taxes``) and the other intents' names.
        topic_weight: the topic model's share, between 0 and 1.
    """
    if topic_weight <= 0.0:
        return intent_probabilities
    column = {name: i for i, name in enumerate(intents)}
    summed = np.zeros_like(intent_probabilities)
    for j, topic in enumerate(topics):
        summed[:, column[topic.split("/", 1)[0]]] += topic_probabilities[:, j]
    return (1.0 - topic_weight) * intent_probabilities + topic_weight * summed
