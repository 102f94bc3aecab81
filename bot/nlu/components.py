"""What the project's graph components share: how Rasa creates them, what an entity is.

Rasa builds a component with ``create(config, model_storage, resource, execution_context)``.
Most of ours need only their configuration (:class:`ConfiguredComponent`); those that learn
something at training time keep it in their model storage resource
(:class:`StoredComponent`). The entity extractors write their entities with :func:`entity`.
"""

from __future__ import annotations

from typing import Any, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
)

Configured = TypeVar("Configured", bound="ConfiguredComponent")
Stored = TypeVar("Stored", bound="StoredComponent")


class ConfiguredComponent(GraphComponent):
    """A component made from its configuration alone, its defaults under the given values."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    @classmethod
    def create(
        cls: type[Configured],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Configured:
        return cls({**cls.get_default_config(), **config})


class StoredComponent(GraphComponent):
    """A component that trains and keeps what it learned in its model storage resource."""

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource
    ) -> None:
        self.config = config
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def create(
        cls: type[Stored],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Stored:
        return cls(config, model_storage, resource)


def entity(kind: str, start: int, end: int, value: Any, confidence: float = 1.0) -> dict[str, Any]:
    """An entity of a message as Rasa's extractors write it (``entity``, ``start``...)."""
    return {
        ENTITY_ATTRIBUTE_TYPE: kind,
        ENTITY_ATTRIBUTE_START: start,
        ENTITY_ATTRIBUTE_END: end,
        ENTITY_ATTRIBUTE_VALUE: value,
        ENTITY_ATTRIBUTE_CONFIDENCE: confidence,
    }
