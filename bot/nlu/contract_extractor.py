"""Graph component that adds ``contract_type`` entities ("CDI", "intérim", "vast contract").

A thin wrapper around :func:`bot.vacancies.contract_types.extract`: the value is one of
``bot.vacancies.CONTRACT_TYPES`` (``permanent``, ``fixed_term``, ``temp_agency``...), the
same in French and Dutch, so that the vacancy search can filter on it.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components import ConfiguredComponent, entity
from bot.vacancies.contract_types import extract


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class ContractTypeEntityExtractor(ConfiguredComponent, EntityExtractorMixin):
    """Adds one ``contract_type`` entity per contract type the message names."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self._entity = config["entity"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"entity": "contract_type"}

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            found = self.add_extractor_name(
                [entity(self._entity, m.start, m.end, m.value) for m in extract(text)]
            )
            if found:
                message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages
