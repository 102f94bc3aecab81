"""Graph component: "alleen in Frankrijk", "que en Belgique", "pas en France" are search details.

After the other intent guards: a message that limits a search to a country or region (or
excludes one: :func:`bot.vacancies.areas.limits_a_search`) and that the classifier read as a
FAQ question, a statement of where the candidate lives, a "no", a language switch or nothing
clear becomes ``inform``, a search detail (issue 21, item 6). The vacancy actions read the
area from the text.

A longer message that names an occupation and an area and asks about no topic ("chauffeur
poids lourd en Flandre c possible ?", "vrachtwagenchauffeur in West-Vlaanderen", "ik woon in
Kortrijk, elektricien, over de grens") is a search too (:func:`is_a_search`): the classifier
read the first as a question about diplomas, the second as nothing, the third as where the
candidate lives.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.knowledge import questions
from bot.nlu.components import ConfiguredComponent
from bot.nlu.foreign_language import override_intent
from bot.text import fold
from bot.vacancies.areas import area_of, limits_a_search

SEARCH_DETAIL_INTENT = "inform"
# What the classifier makes of a bare area: the nearest topic, a residence, a "no" ("pas en
# France"), a language ("en France", "in het Frans"?) or nothing.
_MISREAD = frozenset(
    {"faq", "inform_direction", "deny", "switch_language", "nlu_fallback", "affirm"}
)
# Longer messages say more than an area: they keep their intent, unless they name an
# occupation too (up to MAX_SEARCH_WORDS words).
MAX_WORDS = 6
MAX_SEARCH_WORDS = 14
# "j'habite en France, je suis soudeur" says where the candidate lives, not where to search.
_LIVES = re.compile(r"\b(?:habite|habitons|vis|vit|reside|woon|woont|wonen|domicilie)\b")


def is_a_search(text: str, entities: list[dict[str, Any]]) -> bool:
    """True for a message that names an occupation and an area to search, and no topic."""
    if len(text.split()) > MAX_SEARCH_WORDS or not any(
        entity.get("entity") == "occupation" for entity in entities
    ):
        return False
    if questions.topic_named(text) is not None:
        return False
    if limits_a_search(text):
        return True
    return area_of(text) is not None and not _LIVES.search(fold(text))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SearchAreaReader(ConfiguredComponent):
    """Reads a short message that limits a search to an area as a search detail."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            text = message.get(TEXT) or ""
            if intent.get("name") not in _MISREAD:
                continue
            short_limit = len(text.split()) <= MAX_WORDS and limits_a_search(text)
            if short_limit or is_a_search(text, list(message.get(ENTITIES) or [])):
                override_intent(message, SEARCH_DETAIL_INTENT, 1.0)
        return messages
