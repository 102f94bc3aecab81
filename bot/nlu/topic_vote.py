"""Graph component that averages the ResponseSelector's FAQ topics with the topic model's."""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import INTENT_RESPONSE_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.nlu.training_data.util import intent_response_key_to_template_key

from bot.nlu.components import StoredComponent
from bot.nlu.intent_classifier import TOPIC_PROBABILITIES

logger = logging.getLogger(__name__)

_RESPONSES_FILE = "responses.json"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class FaqTopicVote(StoredComponent):
    """Chooses the FAQ topic on the average of two models' confidences.

    The ResponseSelector (a TensorFlow model) and the topic model of
    ``bot.nlu.intent_classifier.TopicAwareIntentClassifier`` (a logistic regression) are
    about as right as each other on the topics of tests/nlu_dev, and not on the same
    messages; the ResponseSelector's choice also changed from one training to the next on
    a few messages. Their average was right more often than either (docs/decisions.md,
    "FAQ topics: two models vote"). The parse output keeps the ResponseSelector's shape, so
    the actions, the console and the benchmarks read it as before. It comes after both
    models in config.yml (Rasa's check of required components does not see trainable
    components upstream in the training graph).
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # The topic model's share of the vote (0 keeps the ResponseSelector's choice).
        return {"retrieval_intent": "faq", "topic_weight": 0.5}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        responses: dict[str, list[dict[str, Any]]] | None = None,
    ) -> None:
        super().__init__(config, model_storage, resource)
        self._intent = str(config["retrieval_intent"])
        self._prefix = f"{self._intent}/"
        self._weight = float(config["topic_weight"])
        self._responses = responses or {}

    def train(self, training_data: TrainingData) -> Resource:
        """Keep the domain's responses of each topic, which the parse output carries."""
        prefix = intent_response_key_to_template_key(self._prefix)
        self._responses = {
            key: list(responses)
            for key, responses in training_data.responses.items()
            if key.startswith(prefix)
        }
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _RESPONSES_FILE).write_text(json.dumps(self._responses), "utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> FaqTopicVote:
        try:
            with model_storage.read_from(resource) as directory:
                responses = json.loads((directory / _RESPONSES_FILE).read_text("utf-8"))
        except (ValueError, OSError):
            logger.debug("No responses in %s: the ResponseSelector's choice stays.", resource)
            return cls({**config, "topic_weight": 0.0}, model_storage, resource)
        return cls(config, model_storage, resource, responses)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            selectors = message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}
            selected = selectors.get(self._intent)
            topics = {
                key: p
                for key, p in (message.get(TOPIC_PROBABILITIES) or {}).items()
                if key.startswith(self._prefix)
            }
            if self._weight <= 0.0 or not selected or not topics:
                continue
            ranking = vote(selected.get(RESPONSE_SELECTOR_RANKING_KEY) or [], topics, self._weight)
            key = ranking[0][INTENT_RESPONSE_KEY]
            utter_action = intent_response_key_to_template_key(key)
            selected = {
                RESPONSE_SELECTOR_PREDICTION_KEY: {
                    RESPONSE_SELECTOR_RESPONSES_KEY: self._responses.get(utter_action, []),
                    PREDICTED_CONFIDENCE_KEY: ranking[0][PREDICTED_CONFIDENCE_KEY],
                    INTENT_RESPONSE_KEY: key,
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: utter_action,
                },
                RESPONSE_SELECTOR_RANKING_KEY: ranking,
            }
            message.set(
                RESPONSE_SELECTOR_PROPERTY_NAME,
                {**selectors, self._intent: selected},
                add_to_output=True,
            )
        return messages


def vote(
    selector_ranking: list[dict[str, Any]], topic_probabilities: dict[str, float], weight: float
) -> list[dict[str, Any]]:
    """The topics ranked by the average of both models' confidences, best first.

    Args:
        selector_ranking: the ResponseSelector's ranking (``intent_response_key`` and
            ``confidence``); topics beyond its length count as 0 for it.
        topic_probabilities: the topic model's probability of each topic (``faq/taxes``);
            they are rescaled to sum to 1 over the topics.
        weight: the topic model's share, between 0 and 1.
    """
    selector = {str(e["intent_response_key"]): float(e["confidence"]) for e in selector_ranking}
    total = sum(topic_probabilities.values()) or 1.0
    keys = sorted(set(selector) | set(topic_probabilities))
    confidence = {
        key: (1.0 - weight) * selector.get(key, 0.0)
        + weight * topic_probabilities.get(key, 0.0) / total
        for key in keys
    }
    best = sorted(keys, key=lambda key: -confidence[key])[: max(len(selector_ranking), 1)]
    return [{"confidence": confidence[key], "intent_response_key": key} for key in best]
