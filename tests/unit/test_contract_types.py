"""Contract types named in French and Dutch messages, and their entity extractor."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.contract_extractor import ContractTypeEntityExtractor
from bot.vacancies.contract_types import contract_type, extract
from bot.vacancies.model import CONTRACT_TYPES


@pytest.mark.parametrize(
    "text, expected",
    [
        ("je cherche un CDI de cariste", "permanent"),
        ("un contrat à durée indéterminée", "permanent"),
        ("ik zoek een vast contract als lasser", "permanent"),
        ("een vaste job in Kortrijk", "permanent"),
        ("un CDD de six mois", "fixed_term"),
        ("tijdelijk contract mag ook", "fixed_term"),
        ("des missions d'intérim", "temp_agency"),
        ("une boîte d'intérim à Lille", "temp_agency"),
        ("ik zoek uitzendwerk", "temp_agency"),
        ("via ne interim", "temp_agency"),
        ("en alternance", "apprenticeship"),
        ("een leercontract als bakker", "apprenticeship"),
        ("un stage en cuisine", "internship"),
        ("un job étudiant cet été", "student"),
        ("een studentenjob in Brugge", "student"),
        ("en free-lance", "freelance"),
        ("als zelfstandige", "freelance"),
    ],
)
def test_contract_words_of_both_languages_give_one_contract_type(text: str, expected: str) -> None:
    assert contract_type(text) == expected
    assert expected in CONTRACT_TYPES


def test_mentions_index_the_original_text() -> None:
    text = "CDD ou Intérim à Œudeghien"
    found = extract(text)
    assert [(m.value, text[m.start : m.end]) for m in found] == [
        ("fixed_term", "CDD"),
        ("temp_agency", "Intérim"),
    ]


@pytest.mark.parametrize("text", ["cdiscount", "stagecoach", "je cherche du travail", "vaste"])
def test_words_that_only_contain_a_contract_word_mean_nothing(text: str) -> None:
    assert extract(text) == []


def test_extractor_adds_contract_type_entities(tmp_path) -> None:
    extractor = ContractTypeEntityExtractor.create(
        ContractTypeEntityExtractor.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("contracts"),
        ExecutionContext(GraphSchema({}), "test"),
    )
    message = Message.build("cariste en intérim vers Courtrai")
    message.set("entities", [{"entity": "location", "value": "be-kortrijk"}], add_to_output=True)
    extractor.process([message])
    entities = message.as_dict_nlu()["entities"]
    assert entities[0]["entity"] == "location"
    assert {k: entities[1][k] for k in ("entity", "value", "start", "end", "extractor")} == {
        "entity": "contract_type",
        "value": "temp_agency",
        "start": 11,
        "end": 18,
        "extractor": "ContractTypeEntityExtractor",
    }
