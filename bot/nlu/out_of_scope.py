"""Graph component: a question about an out-of-scope subject never gets the nearest topic.

After the FallbackClassifier: when :func:`bot.knowledge.out_of_scope.subject_of` finds a visa,
housing or salary-negotiation question (or :func:`~bot.knowledge.out_of_scope.is_weather_talk`
a question about the weather) and the classifier guessed a FAQ topic, a vacancy
search without an occupation, or a fallback, the intent becomes ``out_of_scope``
(issue 21, item 10: a visa for a spouse got the frontier-worker rules, housing a job search;
"et pour ma femme ?" the equal-opportunities topic).
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.knowledge.out_of_scope import is_weather_talk, subject_of
from bot.nlu.components import ConfiguredComponent
from bot.nlu.foreign_language import override_intent

OUT_OF_SCOPE_INTENT = "out_of_scope"
# What the classifier may have guessed for such a question: the nearest topic or a search.
_NEAREST = frozenset(
    {"faq", "search_vacancies", "inform", "nlu_fallback", "inform_direction", "out_of_scope"}
)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class OutOfScopeSubjects(ConfiguredComponent):
    """Sends a question about a subject outside the twenty topics to ``out_of_scope``."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            text = message.get(TEXT) or ""
            if intent.get("name") not in _NEAREST or not (
                subject_of(text) or is_weather_talk(text)
            ):
                continue
            entities = message.get(ENTITIES) or []
            if intent.get("name") == "search_vacancies" and any(
                e.get("entity") == "occupation" for e in entities
            ):
                continue  # "un emploi de cuisinier et un logement": the search goes on
            override_intent(message, OUT_OF_SCOPE_INTENT, float(intent.get("confidence") or 0.0))
        return messages
