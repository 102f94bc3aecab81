"""Graph component that routes messages in a third language to the ``other_language`` intent."""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.language.detection import Detection, is_foreign
from bot.nlu.components import ConfiguredComponent
from bot.nlu.language_detector import LANGUAGE_KEY

OTHER_LANGUAGE_INTENT = "other_language"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ForeignLanguageClassifier(ConfiguredComponent):
    """Replaces the intent by ``other_language`` when the message is clearly in English, German...

    It works like Rasa's FallbackClassifier (and must come after it): the classifier's
    ranking is kept, so the console can still see what the model guessed.
    """

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            detection = Detection.from_dict(message.get(LANGUAGE_KEY))
            if detection is None or not is_foreign(detection):
                continue
            override_intent(message, OTHER_LANGUAGE_INTENT, detection.confidence)
        return messages


def override_intent(message: Message, name: str, confidence: float) -> None:
    """Set the intent as Rasa's FallbackClassifier does: the classifier's ranking is kept."""
    intent = {"name": name, "confidence": confidence}
    ranking = message.get(INTENT_RANKING_KEY) or []
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
