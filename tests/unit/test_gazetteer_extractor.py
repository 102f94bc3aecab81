"""The gazetteer entity extractor, built directly as Rasa builds it."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.gazetteer_extractor import GazetteerEntityExtractor
from bot.nlu.language_detector import LanguageDetector


@pytest.fixture
def build(tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")

    def _build(cls, config=None):
        merged = {**cls.get_default_config(), **(config or {})}
        return cls.create(merged, storage, Resource(cls.__name__), context)

    return _build


def _entities(build, text: str, existing: list[dict] | None = None, config=None) -> list[dict]:
    message = Message.build(text)
    if existing:
        message.set("entities", existing, add_to_output=True)
    build(LanguageDetector).process([message])
    build(GazetteerEntityExtractor, config).process([message])
    return message.as_dict_nlu()["entities"]


def test_french_message_gets_gazetteer_ids_of_occupation_and_location(build) -> None:
    text = "y a-t-il des postes de cariste vers Courtrai ?"
    entities = _entities(build, text)
    assert [(e["entity"], e["value"]) for e in entities] == [
        ("occupation", "forklift-driver"),
        ("location", "be-kortrijk"),
    ]
    for entity in entities:
        assert entity["extractor"] == "GazetteerEntityExtractor"
        assert text[entity["start"] : entity["end"]] in ("cariste", "Courtrai")
        assert entity["confidence"] == 1.0


def test_dutch_message_gets_the_same_ids_as_french(build) -> None:
    entities = _entities(build, "werk als lasser in de buurt van Rijsel binnen 20 km?")
    assert [(e["entity"], e["value"]) for e in entities] == [
        ("occupation", "welder"),
        ("location", "fr-lille"),
        ("radius_km", 20),
    ]


def test_anywhere_gives_radius_any(build) -> None:
    entities = _entities(build, "soudeur, peu importe où")
    assert ("radius_km", "any") in [(e["entity"], e["value"]) for e in entities]


def test_message_without_place_or_occupation_gets_no_entity(build) -> None:
    assert _entities(build, "ik zoek werk") == []


def test_near_miss_has_a_lower_confidence(build) -> None:
    (entity,) = _entities(build, "heftruckchaufeur")
    assert entity["value"] == "forklift-driver" and 0.85 <= entity["confidence"] < 1.0


def test_ambiguous_place_lists_alternatives(build) -> None:
    (entity,) = _entities(build, "un emploi à Lens")
    assert entity["value"] == "fr-lens" and entity["alternatives"] == ["be-lens-be"]


def test_overlapping_entity_of_another_extractor_is_replaced(build) -> None:
    diet = {"entity": "location", "start": 9, "end": 17, "value": "Courtrai", "extractor": "DIET"}
    other = {"entity": "language", "start": 0, "end": 3, "value": "fr", "extractor": "DIET"}
    entities = _entities(build, "jobs vers Courtrai", [diet, other])
    assert [(e["entity"], e["value"], e["extractor"]) for e in entities] == [
        ("language", "fr", "DIET"),
        ("location", "be-kortrijk", "GazetteerEntityExtractor"),
    ]


def test_entity_names_can_be_configured(build) -> None:
    entities = _entities(build, "soudeur à Lille", config={"location_entity": "city"})
    assert [e["entity"] for e in entities] == ["occupation", "city"]
