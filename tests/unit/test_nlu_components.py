"""The graph components, built directly as Rasa builds them."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.acting_intents import ActingIntentGuard
from bot.nlu.foreign_language import OTHER_LANGUAGE_INTENT, ForeignLanguageClassifier
from bot.nlu.language_detector import LanguageDetector
from bot.nlu.out_of_scope import OutOfScopeSubjects
from bot.nlu.search_area import SearchAreaReader
from bot.nlu.tokenizer import BilingualTokenizer
from bot.nlu.unknown_words import UnknownWordsClassifier


@pytest.fixture
def build(tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")

    def _build(cls, config=None):
        merged = {**cls.get_default_config(), **(config or {})}
        return cls.create(merged, storage, Resource(cls.__name__), context)

    return _build


def _parse(build, text: str) -> Message:
    message = Message.build(text)
    build(LanguageDetector).process([message])
    build(BilingualTokenizer).process([message])
    return message


def test_detector_puts_language_in_the_parse_output(build) -> None:
    message = _parse(build, "ik zoek werk in Kortrijk")
    output = message.as_dict_nlu()
    assert output["language"]["name"] == "nl"
    assert 0.0 <= output["language"]["confidence"] <= 1.0


@pytest.mark.parametrize(
    ("text", "value", "word"),
    [
        ("on peut continuer en néerlandais ?", "nl", "néerlandais"),
        ("kan het in het Frans aub", "fr", "Frans"),
        ("je préfère en flamand", "nl", "flamand"),
        ("spreek nederlands", "nl", "nederlands"),
    ],
)
def test_detector_extracts_the_language_a_message_names(build, text, value, word) -> None:
    message = _parse(build, text)
    [entity] = message.get("entities")
    assert (entity["entity"], entity["value"]) == ("language", value)
    assert text[entity["start"] : entity["end"]] == word


def test_detector_extracts_no_language_entity_from_ordinary_messages(build) -> None:
    assert not _parse(build, "ik zoek werk in Kortrijk").get("entities")


def test_detector_labels_training_examples(build) -> None:
    data = TrainingData([Message.build("je cherche un emploi", intent="greet")])
    build(LanguageDetector).process_training_data(data)
    assert data.training_examples[0].get("language")["name"] == "fr"


def test_tokenizer_lemmatizes_french_with_french_rules(build) -> None:
    tokens = _parse(build, "je cherchais des emplois à Courtrai").get("text_tokens")
    lemmas = {t.text: t.lemma for t in tokens}
    assert lemmas["cherchais"] == "chercher"
    assert lemmas["emplois"] == "emploi"


def test_tokenizer_lemmatizes_dutch_with_dutch_rules(build) -> None:
    tokens = _parse(build, "ik zocht werk in de buurt van Rijsel").get("text_tokens")
    assert {t.text: t.lemma for t in tokens}["zocht"] == "zoeken"


def test_tokenizer_keeps_offsets_of_the_original_text(build) -> None:
    text = "kan het in het Nederlands?"
    for token in _parse(build, text).get("text_tokens"):
        assert text[token.start : token.end] == token.text


def test_foreign_message_gets_other_language_intent(build) -> None:
    message = _parse(build, "Hello, I am looking for a job in Lille please")
    message.set("intent", {"name": "greet", "confidence": 0.7}, add_to_output=True)
    message.set("intent_ranking", [{"name": "greet", "confidence": 0.7}], add_to_output=True)
    build(ForeignLanguageClassifier).process([message])
    assert message.get("intent")["name"] == OTHER_LANGUAGE_INTENT
    assert message.get("intent_ranking")[1]["name"] == "greet"


def test_french_message_keeps_its_intent(build) -> None:
    message = _parse(build, "bonjour, je cherche du travail")
    message.set("intent", {"name": "greet", "confidence": 0.7}, add_to_output=True)
    build(ForeignLanguageClassifier).process([message])
    assert message.get("intent")["name"] == "greet"


def test_town_names_share_one_lemma_in_both_languages(build) -> None:
    french = _parse(build, "il va pleuvoir demain à Courtrai ?")
    dutch = _parse(build, "regent het morgen in Rijsel?")
    lemmas = {t.text: t.lemma for m in (french, dutch) for t in m.get("text_tokens")}
    assert lemmas["Courtrai"] == lemmas["Rijsel"] == "__place__"
    assert lemmas["pleuvoir"] == "pleuvoir"


def _guessed(build, text: str, intent: str, confidence: float, entities=()) -> Message:
    message = _parse(build, text)
    guess = {"name": intent, "confidence": confidence}
    message.set("intent", guess, add_to_output=True)
    message.set("intent_ranking", [guess], add_to_output=True)
    message.set("entities", list(entities), add_to_output=True)
    return message


@pytest.fixture
def unknown_words(build, tmp_path):
    examples = [
        Message.build(text, intent=intent)
        for text, intent in [
            ("oui d'accord", "affirm"),
            ("je cherche un emploi à Courtrai", "search_vacancies"),
            ("ik zocht werk", "search_vacancies"),
        ]
    ]
    data = TrainingData(examples)
    build(LanguageDetector).process_training_data(data)
    build(BilingualTokenizer).process_training_data(data)
    classifier = build(UnknownWordsClassifier)
    resource = classifier.train(data)
    # As Rasa runs it: loaded back from the model storage.
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    config = UnknownWordsClassifier.get_default_config()
    return UnknownWordsClassifier.load(config, storage, resource, context)


def test_message_of_unknown_words_goes_to_the_fallback(build, unknown_words) -> None:
    message = _guessed(build, "blorfzak wizzle", "affirm", 0.43)
    unknown_words.process([message])
    assert message.get("intent") == {"name": "nlu_fallback", "confidence": 1.0}
    # The guess stays in the ranking for the "did you mean" question.
    assert [i["name"] for i in message.get("intent_ranking")] == ["nlu_fallback", "affirm"]


@pytest.mark.parametrize(
    ("text", "confidence", "entities"),
    [
        ("je cherchais du travial", 0.45, ()),  # "je" and the lemma of "cherchais" are known
        ("zoekt iemand", 0.45, ()),  # "zoekt" and "zocht" share the lemma "zoeken"
        ("Wouter Vandeputte", 0.9, ()),  # unknown, but the classifier is sure
        ("Harelbeke", 0.45, ({"entity": "location", "value": "be-harelbeke"},)),
        ("59200", 0.45, ()),  # no word at all
    ],
)
def test_messages_with_a_known_word_or_a_sure_guess_keep_their_intent(
    build, unknown_words, text, confidence, entities
) -> None:
    message = _guessed(build, text, "inform", confidence, entities)
    unknown_words.process([message])
    assert message.get("intent")["name"] == "inform"


def test_an_earlier_fallback_is_left_as_it_is(build, unknown_words) -> None:
    message = _guessed(build, "qsdfghjk", "nlu_fallback", 0.4)
    unknown_words.process([message])
    assert message.get("intent") == {"name": "nlu_fallback", "confidence": 0.4}
    assert len(message.get("intent_ranking")) == 1


def _ranked(build, text: str, ranking: list[tuple[str, float]]) -> Message:
    message = _parse(build, text)
    entries = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    message.set("intent", entries[0], add_to_output=True)
    message.set("intent_ranking", entries, add_to_output=True)
    build(ActingIntentGuard).process([message])
    return message


@pytest.mark.parametrize(
    "text", ["ik zoek werk, alleen in Frankrijk", "que en Belgique svp", "in Vlaanderen"]
)
def test_a_country_is_not_a_request_to_switch_language(build, text: str) -> None:
    message = _ranked(build, text, [("switch_language", 0.6), ("search_vacancies", 0.3)])
    assert message.get("intent")["name"] == "search_vacancies"
    assert "switch_language" not in [e["name"] for e in message.get("intent_ranking")]


def test_a_language_named_beside_a_country_is_still_a_switch(build) -> None:
    message = _ranked(
        build, "en français svp, je vis en Belgique", [("switch_language", 0.6), ("faq", 0.3)]
    )
    assert message.get("intent")["name"] == "switch_language"


def test_two_close_acting_intents_ask_instead_of_acting(build) -> None:
    message = _ranked(
        build,
        "kheb mij ingeschreven mor kan ni komen",
        [("cancel_booking", 0.44), ("faq", 0.3), ("book_info_session", 0.2)],
    )
    assert message.get("intent")["name"] == "nlu_fallback"
    # The classifier's ranking stays behind the fallback, for the buttons.
    assert [e["name"] for e in message.get("intent_ranking")][1:3] == ["cancel_booking", "faq"]


def test_a_clear_acting_intent_acts(build) -> None:
    message = _ranked(
        build,
        "kzou mijn inschrijving willen schrappen",
        [("cancel_booking", 0.81), ("book_info_session", 0.1)],
    )
    assert message.get("intent")["name"] == "cancel_booking"


def _classified(build, text: str, intent: str, entities: list | None = None) -> Message:
    message = _parse(build, text)
    message.set("intent", {"name": intent, "confidence": 0.6}, add_to_output=True)
    message.set("intent_ranking", [{"name": intent, "confidence": 0.6}], add_to_output=True)
    if entities:
        message.set("entities", entities, add_to_output=True)
    build(OutOfScopeSubjects).process([message])
    return message


@pytest.mark.parametrize(
    "text, guessed",
    [
        ("visa pour ma femme marocaine", "faq"),
        ("je cherche un logement a lille", "search_vacancies"),
        ("comment negocier mon salaire", "faq"),
    ],
)
def test_an_out_of_scope_subject_never_gets_the_nearest_topic(build, text, guessed) -> None:
    assert _classified(build, text, guessed).get("intent")["name"] == "out_of_scope"


def test_a_search_with_an_occupation_goes_on_beside_a_housing_question(build) -> None:
    occupation = [{"entity": "occupation", "value": "cook"}]
    message = _classified(
        build, "un emploi de cuisinier et un logement à Lille", "search_vacancies", occupation
    )
    assert message.get("intent")["name"] == "search_vacancies"


def test_an_acting_intent_is_left_alone(build) -> None:
    message = _classified(build, "je veux annuler, j'ai trouvé un logement", "cancel_booking")
    assert message.get("intent")["name"] == "cancel_booking"


@pytest.mark.parametrize(
    "text, guessed",
    [("alleen in Frankrijk", "faq"), ("que en Belgique svp", "faq"), ("pas en France", "deny")],
)
def test_a_limit_to_an_area_is_a_search_detail(build, text: str, guessed: str) -> None:
    message = _parse(build, text)
    message.set("intent", {"name": guessed, "confidence": 0.4}, add_to_output=True)
    build(SearchAreaReader).process([message])
    assert message.get("intent")["name"] == "inform"


def test_where_the_candidate_lives_is_not_a_search_detail(build) -> None:
    message = _parse(build, "j'habite en France")
    message.set("intent", {"name": "inform_direction", "confidence": 0.9}, add_to_output=True)
    build(SearchAreaReader).process([message])
    assert message.get("intent")["name"] == "inform_direction"


def _with_entities(build, text: str, guessed: str) -> Message:
    from bot.nlu.gazetteer_extractor import GazetteerEntityExtractor

    message = _parse(build, text)
    build(GazetteerEntityExtractor).process([message])
    message.set("intent", {"name": guessed, "confidence": 0.5}, add_to_output=True)
    build(SearchAreaReader).process([message])
    return message


@pytest.mark.parametrize(
    "text, guessed",
    [
        ("chauffeur poids lourd en Flandre c possible ?", "faq"),
        ("vrachtwagenchauffeur in West-Vlaanderen", "nlu_fallback"),
        ("ik woon in Kortrijk, elektricien, over de grens", "inform_direction"),
    ],
)
def test_an_occupation_and_an_area_are_a_search(build, text: str, guessed: str) -> None:
    assert _with_entities(build, text, guessed).get("intent")["name"] == "inform"


@pytest.mark.parametrize(
    "text, guessed",
    [
        ("je suis soudeur en France, je paie mes impôts où ?", "faq"),
        ("j'habite en France et je suis cariste", "inform_direction"),
        ("ik ben lasser in Vlaanderen, welk ziekenfonds moet ik kiezen?", "faq"),
    ],
)
def test_an_occupation_with_a_question_or_a_residence_keeps_its_intent(
    build, text: str, guessed: str
) -> None:
    assert _with_entities(build, text, guessed).get("intent")["name"] == guessed


def _guarded(build, text: str, guessed: str) -> str:
    message = _parse(build, text)
    message.set("intent", {"name": guessed, "confidence": 0.5}, add_to_output=True)
    message.set("intent_ranking", [{"name": guessed, "confidence": 0.5}], add_to_output=True)
    build(ActingIntentGuard).process([message])
    return str(message.get("intent")["name"])


@pytest.mark.parametrize(
    "text, guessed",
    [
        ("Bonjour je voudrais m'inscrire au job dating de Mouscron, je suis Mehdi Haddad, "
         "mon mail mehdi.haddad@example.org et mon portable 06 98 76 54 32", "faq"),
        ("Ik wil inschrijven voor de jobdating in Moeskroen. Mijn naam is Pieter Goethals, "
         "e-mail pieter.goethals@example.org, gsm 0485 11 22 33", "faq"),
        ("ik wil naar de sessie over belastingen en sociale zekerheid", "faq"),
        ("jveux minscrire a la seance sur les impots", "nlu_fallback"),
    ],
)  # fmt: skip
def test_a_drowned_booking_request_is_a_booking(build, text: str, guessed: str) -> None:
    assert _guarded(build, text, guessed) == "book_info_session"


@pytest.mark.parametrize(
    "text, guessed",
    [
        ("comment m'inscrire comme demandeur d'emploi en Belgique ?", "faq"),
        ("je veux annuler mon inscription à la séance", "nlu_fallback"),
        ("kan ni komen naar de sessie, ik wil me uitschrijven", "nlu_fallback"),
        ("c'est quoi un job dating ?", "faq"),
    ],
)
def test_questions_and_cancellations_are_not_a_booking(build, text: str, guessed: str) -> None:
    assert _guarded(build, text, guessed) != "book_info_session"


@pytest.mark.parametrize("text", ["je prends la 5", "ik neem de 3de", "nummer 2 aub"])
def test_a_choice_from_the_list_read_as_nothing_is_an_answer(build, text: str) -> None:
    assert _guarded(build, text, "nlu_fallback") == "inform"


def test_a_sure_guess_is_not_taken_for_a_choice(build) -> None:
    assert _guarded(build, "je prends la 5", "affirm") == "affirm"


@pytest.mark.parametrize(
    "text, guessed",
    [
        ("jveux plus y aller a la reunion, je fais comment ?", "out_of_scope"),
        ("je pourrai pas venir à la séance de jeudi", "faq"),
        ("kga ni kunnen komen naar de sessie", "nlu_fallback"),
        ("ik kan niet komen, mijn inschrijving mag weg", "out_of_scope"),
    ],
)
def test_a_cancellation_without_the_word_is_a_cancellation(build, text: str, guessed: str) -> None:
    assert _guarded(build, text, guessed) == "cancel_booking"


@pytest.mark.parametrize(
    "text, guessed",
    [
        ("je veux plus y aller en Belgique pour bosser", "out_of_scope"),
        ("je ne peux pas venir travailler en Belgique ?", "faq"),
        ("ik kan niet komen werken in Frankrijk zonder Frans?", "faq"),
    ],
)
def test_not_going_somewhere_else_is_no_cancellation(build, text: str, guessed: str) -> None:
    assert _guarded(build, text, guessed) == guessed
