"""Graph component that adds ``occupation``, ``location`` and ``radius_km`` entities.

A thin wrapper around :func:`bot.gazetteer.extract`: every place and occupation mentioned in
the message, in French or Dutch, becomes an entity whose ``value`` is the gazetteer id
(``welder``, ``be-kortrijk``) whatever the words used ("soudeuse", "lasser", "Courtrai",
"Kortrik"). A radius ("dans un rayon de 20 km", "binnen 20 km") gives ``radius_km`` with a
number of kilometres, "partout" / "overal" gives ``radius_km`` = ``"any"``. Ambiguous names
(Lens, Komen) carry the other candidates in ``alternatives``.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.gazetteer import OCCUPATION, PLACE, RADIUS, Span, extract
from bot.nlu.components import ConfiguredComponent, entity
from bot.nlu.language_detector import LANGUAGE_KEY

ALTERNATIVES = "alternatives"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class GazetteerEntityExtractor(ConfiguredComponent, EntityExtractorMixin):
    """Adds gazetteer entities; entities of the same types from earlier extractors (DIET) that
    overlap one of ours are dropped, so that the dialogue sees one normalised value."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self._types = {
            OCCUPATION: config["occupation_entity"],
            PLACE: config["location_entity"],
            RADIUS: config["radius_entity"],
        }
        self._replace_overlapping = bool(config["replace_overlapping"])
        extract("Courtrai")  # builds the name index now, not on the first user message

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "occupation_entity": "occupation",
            "location_entity": "location",
            "radius_entity": "radius_km",
            "replace_overlapping": True,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["rapidfuzz"]

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            language = (message.get(LANGUAGE_KEY) or {}).get("name")
            found = self.add_extractor_name([self._entity(s) for s in extract(text, language)])
            kept = [e for e in message.get(ENTITIES, []) if not self._replaced(e, found)]
            message.set(ENTITIES, kept + found, add_to_output=True)
        return messages

    def _entity(self, span: Span) -> dict[str, Any]:
        found = entity(
            self._types[span.kind], span.start, span.end, span.value, round(span.score / 100, 3)
        )
        if span.alternatives:
            found[ALTERNATIVES] = list(span.alternatives)
        return found

    def _replaced(self, entity: dict[str, Any], ours: list[dict[str, Any]]) -> bool:
        if not self._replace_overlapping:
            return False
        return any(
            entity.get(ENTITY_ATTRIBUTE_TYPE) == mine[ENTITY_ATTRIBUTE_TYPE]
            and entity.get(ENTITY_ATTRIBUTE_START, -1) < mine[ENTITY_ATTRIBUTE_END]
            and mine[ENTITY_ATTRIBUTE_START] < entity.get(ENTITY_ATTRIBUTE_END, -1)
            for mine in ours
        )
