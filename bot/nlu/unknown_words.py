"""Graph component that sends messages made only of words never seen in training to the fallback."""

from __future__ import annotations

import json
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.components import StoredComponent
from bot.nlu.foreign_language import OTHER_LANGUAGE_INTENT, override_intent
from bot.nlu.tokenizer import PLACE_LEMMA

_VOCABULARY_FILE = "vocabulary.json"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class UnknownWordsClassifier(StoredComponent):
    """Replaces the intent by ``nlu_fallback`` when no word of the message is known.

    Character n-grams give every string some resemblance to some intent: "blorfzak wizzle"
    scored 0.43 for ``affirm``, above the FallbackClassifier's threshold. A message none of
    whose words (or their lemmas) occurs in the training examples, that names no place,
    occupation or other entity, and that the classifier is not sure about, has not been
    understood. Sure guesses on unknown words are kept: they are variants of known words
    ("bonjoure" 0.99 ``greet``, "jazeker" 0.97 ``affirm``) or names given to a form
    ("Wouter Vandeputte" 0.90 ``inform``). Like the FallbackClassifier, it keeps the
    ranking so that the "did you mean" question and the console still see the guesses.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Chosen on tests/nlu_dev: the seven messages of unknown words that the classifier
        # got right there scored 0.62 to 0.99; made-up words score 0.3 to 0.5.
        return {"below_confidence": 0.6}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__(config, model_storage, resource)
        self._below = float(config["below_confidence"])
        self._vocabulary = vocabulary

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> UnknownWordsClassifier:
        with model_storage.read_from(resource) as directory:
            words = json.loads((directory / _VOCABULARY_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, frozenset(words))

    def train(self, training_data: TrainingData) -> Resource:
        words: set[str] = set()
        for message in training_data.training_examples:
            for token in message.get(TOKENS_NAMES[TEXT]) or []:
                words.update(_forms(token))
        self._vocabulary = frozenset(words)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _VOCABULARY_FILE).write_text(
                json.dumps(sorted(words), ensure_ascii=False), encoding="utf-8"
            )
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if self._understood(message):
                continue
            override_intent(message, DEFAULT_NLU_FALLBACK_INTENT_NAME, 1.0)
        return messages

    def _understood(self, message: Message) -> bool:
        intent = message.get(INTENT) or {}
        if intent.get("name") in (DEFAULT_NLU_FALLBACK_INTENT_NAME, OTHER_LANGUAGE_INTENT):
            return True  # already handled by an earlier fallback
        if float(intent.get("confidence") or 0.0) >= self._below:
            return True
        if message.get(ENTITIES) or not self._vocabulary:
            return True
        words = [t for t in message.get(TOKENS_NAMES[TEXT]) or [] if _is_word(t.text)]
        if not words:
            return True  # digits, emoji, punctuation: left to the classifier
        return any(not _forms(t).isdisjoint(self._vocabulary) for t in words)


def _forms(token: Any) -> set[str]:
    lemma = str(token.lemma or "").lower()
    if lemma == PLACE_LEMMA:
        return {PLACE_LEMMA}
    return {token.text.lower(), lemma} - {""}


def _is_word(text: str) -> bool:
    return any(c.isalpha() for c in text)
