"""Graph component that adds the detected language to every message."""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language.detection import detect, named_languages
from bot.nlu.components import ConfiguredComponent

LANGUAGE_KEY = "language"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LanguageDetector(ConfiguredComponent):
    """Sets ``language`` ({name, confidence, words}) on each message, in the parse output.

    It runs first in the pipeline so that the tokenizer can pick French or Dutch rules. It
    also extracts the ``language`` entity ("en néerlandais svp" -> ``nl``) that a
    ``switch_language`` request names: a fixed list of names needs no trained extractor.
    """

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        detect("bonjour")  # loads lingua and learns the markers now, not on the first message

    @staticmethod
    def required_packages() -> list[str]:
        return ["lingua"]

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Training examples carry their own entity annotations: only the language is added.
        for message in training_data.training_examples:
            if message.get(TEXT):
                message.set(LANGUAGE_KEY, detect(message.get(TEXT)).as_dict())
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            message.set(LANGUAGE_KEY, detect(text).as_dict(), add_to_output=True)
            mentions = [
                {
                    "entity": LANGUAGE_KEY,
                    "value": name.value,
                    "start": name.start,
                    "end": name.end,
                    "extractor": type(self).__name__,
                }
                for name in named_languages(text)
            ]
            if mentions:
                entities = [*(message.get(ENTITIES) or []), *mentions]
                message.set(ENTITIES, entities, add_to_output=True)
        return messages
