"""Graph component: a question about what a thing is, or a short follow-up, goes to the FAQ.

The classifiers learn topics from whole questions; "wat is een BIS-nummer?" or "et la sécu ?"
are words they saw too rarely to be sure of (the first went to the fallback, the second scored
0.30). The glossary and the topic words of :mod:`bot.knowledge.questions` read them exactly:

- a question about what a glossary term is ("c'est quoi le formulaire A1 ?") is the ``faq``
  intent, whatever the classifier guessed (except a message in another language);
- a short message that names a topic ("en de RSZ?") is the ``faq`` intent when the classifier
  could not tell (``nlu_fallback``), or read a detail (``inform``) in what is a question;
  another sure guess is kept ("je cherche un contrat").

``action_answer_faq`` then answers the term, or the named topic for the known situation.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.knowledge import questions
from bot.nlu.components import ConfiguredComponent
from bot.nlu.foreign_language import OTHER_LANGUAGE_INTENT, override_intent

FAQ_INTENT = "faq"
INFORM_INTENT = "inform"


def faq_by_words(text: str, intent: str | None) -> bool:
    """True when ``text`` should be the ``faq`` intent although it was read as ``intent``."""
    if intent in (FAQ_INTENT, OTHER_LANGUAGE_INTENT) or not text or text.startswith("/"):
        return False
    if questions.definition_asked(text) is not None:
        return True
    if not questions.is_short(text) or questions.topic_named(text) is None:
        return False
    # "en de RSZ?" was read as ``inform`` (giving a detail), which it is not: a short
    # question naming a topic is a follow-up whether the classifier saw a detail or nothing.
    return intent == DEFAULT_NLU_FALLBACK_INTENT_NAME or (
        intent == INFORM_INTENT and questions.is_follow_up_question(text)
    )


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class FaqWordsClassifier(ConfiguredComponent):
    """Sets the ``faq`` intent on definition questions and on unclear short follow-ups."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get("name")
            if faq_by_words(str(message.get(TEXT) or ""), intent):
                override_intent(message, FAQ_INTENT, 1.0)
        return messages
