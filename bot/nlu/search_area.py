"""Graph component: "alleen in Frankrijk", "que en Belgique", "pas en France" are search details.

After the other intent guards: a message that limits a search to a country or region (or
excludes one: :func:`bot.vacancies.areas.limits_a_search`) and that the classifier read as a
FAQ question, a statement of where the candidate lives, a "no", a language switch or nothing
clear becomes ``inform``, a search detail (issue 21, item 6). The vacancy actions read the
area from the text.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components import ConfiguredComponent
from bot.nlu.foreign_language import override_intent
from bot.vacancies.areas import limits_a_search

SEARCH_DETAIL_INTENT = "inform"
# What the classifier makes of a bare area: the nearest topic, a residence, a "no" ("pas en
# France"), a language ("en France", "in het Frans"?) or nothing.
_MISREAD = frozenset(
    {"faq", "inform_direction", "deny", "switch_language", "nlu_fallback", "affirm"}
)
# Longer messages say more than an area: they keep their intent.
MAX_WORDS = 6


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SearchAreaReader(ConfiguredComponent):
    """Reads a short message that limits a search to an area as a search detail."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            text = message.get(TEXT) or ""
            if (
                intent.get("name") in _MISREAD
                and len(text.split()) <= MAX_WORDS
                and limits_a_search(text)
            ):
                override_intent(message, SEARCH_DETAIL_INTENT, 1.0)
        return messages
