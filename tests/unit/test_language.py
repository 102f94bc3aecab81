from __future__ import annotations

import pytest

from bot.language.codes import supported_or_default
from bot.language.detection import (
    Detection,
    detect,
    informative_words,
    is_foreign,
    learn_markers,
    named_languages,
    names_a_country_not_a_language,
)
from bot.language.policy import (
    SWITCH_MIN_CONFIDENCE,
    SWITCH_MIN_WORDS,
    UNSURE_SLOT,
    decide,
    is_ambiguous_opening,
    language_after_message,
    slots_after_message,
)


@pytest.mark.parametrize(
    "text",
    [
        "je cherche un travail de soudeur vers Courtrai",
        "slt jcherche un taf à Menin stp",
        "est-ce que vous pouvez m'aider ?",
        "j'habite à Tourcoing et je bosse en Belgique",
    ],
)
def test_french_sentences_are_french(text: str) -> None:
    detection = detect(text)
    assert detection.name == "fr"
    assert detection.confidence >= SWITCH_MIN_CONFIDENCE


@pytest.mark.parametrize(
    "text",
    [
        "ik zoek werk als lasser in de buurt van Rijsel",
        "hebde gij nen job voor mij in Kortrijk",
        "kan je mij helpen aub",
        "'k woon in Menen en werk in Frankrijk",
    ],
)
def test_dutch_sentences_are_dutch(text: str) -> None:
    detection = detect(text)
    assert detection.name == "nl"
    assert detection.confidence >= SWITCH_MIN_CONFIDENCE


@pytest.mark.parametrize(
    "text", ["I am looking for a job near Lille", "Ich suche eine Arbeit in der Nähe von Kortrijk"]
)
def test_third_language_is_other_and_foreign(text: str) -> None:
    detection = detect(text)
    assert detection.name == "other"
    assert is_foreign(detection)


def test_learned_markers_are_words_of_one_language_only() -> None:
    learned = learn_markers(
        {
            "fr": [
                "le frontalier paie",
                "un frontalier",
                "mon contrat online",
                "contrat online ici",
            ],
            "nl": ["de grensarbeider", "grensarbeider hier", "een contrat"],
        }
    )
    assert "frontalier" in learned["fr"]
    assert "grensarbeider" in learned["nl"]
    assert "contrat" not in learned["fr"]  # used in both languages
    assert "paie" not in learned["fr"]  # one example is not enough
    assert "online" not in learned["fr"]  # an English word is no evidence against English


def test_a_word_borrowed_now_and_then_by_the_other_language_stays_a_marker() -> None:
    french = [f"je suis frontalier depuis {n} ans" for n in range(40)]
    french += ["mon contrat de frontalier", "contrat signé"]
    dutch = ["ben ik frontalier?", "mijn loonfiche", "een loonfiche hier"]
    learned = learn_markers({"fr": french, "nl": dutch})
    assert "frontalier" in learned["fr"]  # 41 French examples, 1 Dutch one
    assert "loonfiche" in learned["nl"]
    assert "contrat" in learned["fr"]
    assert "ben" not in learned["fr"] and "ik" not in learned["fr"]
    few = learn_markers({"fr": french[:10], "nl": dutch})
    assert "frontalier" not in few["fr"]  # 10 against 1: used by both languages


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("chomage apres interim belgique", "fr"),
        ("loonfiche grensarbeider", "nl"),
    ],
)
def test_words_of_the_training_data_tell_terse_messages_apart(text: str, language: str) -> None:
    # Few function words, no accents: lingua alone calls these a third language.
    assert detect(text).name == language


@pytest.mark.parametrize(
    "text", ["thanks for the online workshop", "Thanks, I need the webinar link"]
)
def test_english_words_of_the_training_data_do_not_hide_english(text: str) -> None:
    assert detect(text).name == "other"


@pytest.mark.parametrize(
    "text", ["ok", "Kortrijk", "merci", "Courtrai ok", "06 12 34 56 78", "hello"]
)
def test_neutral_messages_carry_no_evidence(text: str) -> None:
    assert detect(text).words == 0


def test_place_names_in_either_language_are_not_evidence() -> None:
    assert informative_words("Rijsel Courtrai Doornik Menin") == []


def test_mixed_sentence_follows_its_grammar_not_its_place_names() -> None:
    assert detect("je travaille à Kortrijk, Waregem et Roeselare").name == "fr"
    assert detect("ik werk in Lille, Roubaix en Tourcoing").name == "nl"


def test_short_ambiguous_message_keeps_current_language() -> None:
    assert decide("nl", detect("ok merci")) == "nl"
    assert decide("fr", detect("Kortrijk")) == "fr"


def test_single_word_does_not_switch_an_ongoing_conversation() -> None:
    assert SWITCH_MIN_WORDS > 1
    assert decide("fr", detect("bedankt")) == "fr"


def test_clear_sentence_in_other_language_switches() -> None:
    assert decide("fr", detect("ik zou graag in Kortrijk werken")) == "nl"
    assert decide("nl", detect("je voudrais travailler à Lille")) == "fr"


def test_low_confidence_does_not_switch() -> None:
    unsure = Detection("nl", SWITCH_MIN_CONFIDENCE - 0.01, 5)
    assert decide("fr", unsure) == "fr"


def test_explicit_request_wins_over_detection() -> None:
    assert decide("fr", detect("je préfère continuer"), requested="nl") == "nl"


def test_first_message_uses_page_language_when_ambiguous() -> None:
    assert decide(None, detect("ok"), page_language="nl") == "nl"


def test_first_message_in_clear_language_overrides_page_language() -> None:
    assert decide(None, detect("bonjour je cherche du travail"), page_language="nl") == "fr"


def test_first_message_without_any_hint_uses_detection() -> None:
    assert decide(None, detect("goeiemorgen")) == "nl"


def test_foreign_message_keeps_current_language() -> None:
    assert decide("nl", detect("I am looking for a job near Lille")) == "nl"


def test_detection_round_trips_through_parse_data() -> None:
    detection = detect("ik zoek werk")
    assert Detection.from_dict(detection.as_dict()) == Detection(
        detection.name, round(detection.confidence, 4), detection.words
    )
    assert Detection.from_dict(None) is None
    assert Detection.from_dict({"name": "de"}) is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Wat is een prime de précarité?", "nl"),
        ("Hoe vul ik de déclaration de revenus in als Belg?", "nl"),
        ("Mon contrat dit arbeider et pas bediende, ça change quoi ?", "fr"),
        ("Vous avez des jobs de schrijnwerker vers Wervik ?", "fr"),
    ],
)
def test_function_words_decide_a_sentence_with_borrowed_terms(text: str, language: str) -> None:
    # The administrative terms come from the other language; the grammar does not.
    assert detect(text).name == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ik ben Nora El Idrissi", "nl"),
        ("Qui contacter chez Agentschap Integratie en Inburgering ?", "fr"),
    ],
)
def test_names_of_people_and_agencies_are_not_evidence(text: str, language: str) -> None:
    assert detect(text).name == language


def test_names_are_left_out_only_with_the_markers_and_never_in_capitals() -> None:
    markers = frozenset({"ik", "ben"})
    assert informative_words("ik ben Nora El Idrissi", markers) == ["ik", "ben"]
    assert informative_words("ik ben Nora El Idrissi") == ["ik", "ben", "Nora", "El", "Idrissi"]
    assert informative_words("IK BEN NORA", markers) == ["IK", "BEN", "NORA"]


def test_je_is_dutch_as_much_as_french() -> None:
    assert detect("ken je raadsels?").name == "nl"
    assert detect("je cherche un boulot").name == "fr"


def test_a_booking_reference_is_not_a_word() -> None:
    assert informative_words("annuler K7PM-2QXD svp") == ["annuler"]
    # Eight letters without a digit are words, whatever their letters.
    assert informative_words("dans quel vacature chercher") == [
        "dans",
        "quel",
        "vacature",
        "chercher",
    ]
    assert detect("I want to cancel my booking, the reference is K7PM-2QXD").name == "other"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Je cherche un job de developer full remote", "fr"),
        ("kheb een interview in Lille, tips?", "nl"),
        ("Wie levert het A1-attest af in Frankrijk?", "nl"),
    ],
)
def test_markers_outweigh_english_words_and_lingua_doubts(text: str, language: str) -> None:
    # Fewer than half the words are markers, and lingua alone calls these a third language.
    assert detect(text).name == language


@pytest.mark.parametrize(
    "text",
    [
        "¿Cuál es el salario mínimo en Bélgica?",
        "Non capisco la risposta, puoi spiegare?",
        "Where is the meeting point for the job dating?",
    ],
)
def test_one_shared_function_word_does_not_make_a_third_language_ours(text: str) -> None:
    # "es", "non", "la", "is" are French or Dutch markers too.
    detection = detect(text)
    assert detection.name == "other"
    assert is_foreign(detection)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("nl", "nl"),
        ("fr", "fr"),
        (None, "fr"),
        ("", "fr"),
        ("en", "fr"),
        ("other", "fr"),
        (3, "fr"),
    ],
)
def test_a_language_from_outside_is_kept_only_when_the_assistant_speaks_it(
    value: object, expected: str
) -> None:
    assert supported_or_default(value) == expected


@pytest.mark.parametrize("text", ["hallo", "dag", "goeiemorgen", "hoi", "hallo!", "Hallo"])
def test_dutch_greetings_open_the_conversation_in_dutch(text: str) -> None:
    message = {"text": text, "language": detect(text).as_dict()}
    assert language_after_message(message, None) == "nl"
    assert not is_ambiguous_opening(message, None)
    assert slots_after_message(message, {}) == {"language": "nl"}


@pytest.mark.parametrize("text", ["ok", "hello", "?", "👍", "Kortrijk", "Lille", "merci"])
def test_a_first_message_that_says_no_language_is_an_ambiguous_opening(text: str) -> None:
    message = {"text": text, "language": detect(text).as_dict()}
    assert is_ambiguous_opening(message, None)
    assert slots_after_message(message, {})[UNSURE_SLOT] is True
    # The page language is the guess, said first.
    with_page = {**message, "metadata": {"language": "nl"}}
    assert slots_after_message(with_page, {}) == {"language": "nl", UNSURE_SLOT: True}


@pytest.mark.parametrize("text", ["ok", "Kortrijk", "?"])
def test_an_ongoing_conversation_is_never_an_ambiguous_opening(text: str) -> None:
    message = {"text": text, "language": detect(text).as_dict()}
    assert not is_ambiguous_opening(message, "fr")
    assert slots_after_message(message, {"language": "fr"}) == {}


def test_a_request_for_a_language_is_no_ambiguous_opening() -> None:
    message = {
        "text": "FR",
        "intent": {"name": "switch_language"},
        "entities": [{"entity": "language", "value": "fr"}],
        "language": detect("FR").as_dict(),
    }
    assert not is_ambiguous_opening(message, None)


def test_after_an_ambiguous_opening_one_word_chooses_the_language() -> None:
    # Greeted in both languages (French first), "werk" alone is enough to answer in Dutch.
    unsure = {"language": "fr", UNSURE_SLOT: True}
    message = {"text": "werk", "language": detect("werk").as_dict()}
    assert slots_after_message(message, unsure) == {"language": "nl", UNSURE_SLOT: None}
    # Without the ambiguous opening, one word never switches.
    assert slots_after_message(message, {"language": "fr"}) == {}
    # A second ambiguous message keeps the guess and the greeting is not said twice.
    ok = {"text": "ok", "language": detect("ok").as_dict()}
    assert slots_after_message(ok, unsure) == {UNSURE_SLOT: None}


@pytest.mark.parametrize(
    "text, asked",
    [
        ("kspreek gin Frans", "nl"),
        ("ik spreek geen Frans", "nl"),
        ("ik versta het Frans niet", "nl"),
        ("je ne parle pas néerlandais", "fr"),
        ("jparle pas flamand", "fr"),
        ("en français svp", "fr"),
        ("pas de souci, en néerlandais alors", "nl"),
        ("kan het in het Frans?", "fr"),
    ],
)
def test_a_denied_language_asks_for_the_other_one(text: str, asked: str) -> None:
    [name] = named_languages(text)
    assert name.value == asked


def test_a_denied_language_is_no_switch_to_it() -> None:
    text = "kspreek gin Frans"
    entities = [{"entity": "language", "value": n.value} for n in named_languages(text)]
    message = {
        "text": text,
        "intent": {"name": "switch_language"},
        "entities": entities,
        "language": detect(text).as_dict(),
    }
    assert language_after_message(message, "nl") == "nl"


@pytest.mark.parametrize(
    "text, country",
    [
        ("alleen in Frankrijk", True),
        ("que en Belgique", True),
        ("pas en France", True),
        ("in West-Vlaanderen", True),
        ("en français, je vis en Belgique", False),
        ("in het Nederlands aub", False),
    ],
)
def test_a_country_is_told_from_a_language(text: str, country: bool) -> None:
    assert names_a_country_not_a_language(text) is country


@pytest.mark.parametrize(
    "text, asked",
    [
        ("je parle pas un mot de flamand", "fr"),
        ("ik spreek geen woord Frans", "nl"),
        ("pas de problème, en néerlandais alors", "nl"),
        ("geen probleem, in het Frans dan", "fr"),
    ],
)
def test_fillers_do_not_hide_a_denial_and_other_denials_are_not_one(text: str, asked: str) -> None:
    [name] = named_languages(text)
    assert name.value == asked
