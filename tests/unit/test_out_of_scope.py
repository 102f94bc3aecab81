"""Questions outside the twenty topics: the subject, and an honest answer with where to ask."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.out_of_scope import ActionOutOfScope
from bot import messages
from bot.knowledge.out_of_scope import (
    HOUSING,
    PARTNER,
    RESIDENCE,
    SALARY_NEGOTIATION,
    SUBJECTS,
    is_weather_talk,
    subject_of,
)
from tests.conftest import make_tracker


@pytest.mark.parametrize(
    "text, subject",
    [
        ("un visa pour ma femme, elle est marocaine", RESIDENCE),
        ("mon mari est brésilien, il lui faut une carte de séjour ?", RESIDENCE),
        ("regroupement familial avec mes enfants", RESIDENCE),
        ("kan mijn vrouw een visum krijgen als ik in Kortrijk werk?", RESIDENCE),
        ("hoe zit het met gezinshereniging?", RESIDENCE),
        ("je cherche un logement à Lille", HOUSING),
        ("un appart pas trop cher à Roubaix ?", HOUSING),
        ("ik zoek een huurwoning in Menen", HOUSING),
        ("mijn huisbaas wil mijn waarborg niet teruggeven", HOUSING),
        ("comment négocier mon salaire ?", SALARY_NEGOTIATION),
        ("je veux demander une augmentation", SALARY_NEGOTIATION),
        ("hoe onderhandel ik over mijn loon?", SALARY_NEGOTIATION),
        ("mag ik opslag vragen na drie maanden?", SALARY_NEGOTIATION),
        ("et pour ma femme ?", PARTNER),
        ("Et mon mari alors ?", PARTNER),
        ("en voor mijn vrouw dan?", PARTNER),
        ("wat met mijn partner?", PARTNER),
    ],
)
def test_subjects_outside_the_topics_are_recognised(text: str, subject: str) -> None:
    assert subject_of(text) == subject


@pytest.mark.parametrize(
    "text",
    [
        # The frontier-worker topic answers nationality and work permits; a nurse's "visa" is
        # diploma recognition; a minimum wage is a wage question.
        "je suis marocaine avec un titre de séjour français, je peux travailler à Tournai ?",
        "ik heb een Franse verblijfskaart, mag ik in Vlaanderen werken?",
        "visa pour infirmier en Belgique c'est quoi ?",
        "quel est le salaire minimum en Belgique ?",
        "wat is het minimumloon in Frankrijk?",
        "je cherche un emploi de soudeur à Courtrai",
        "ik telewerk vanuit mijn kot in Ieper, waar betaal ik belastingen?",
        # Children after family allowances are that topic's question; a partner in a full
        # question with a topic is that topic's question.
        "et pour mes enfants ?",
        "ma femme travaille en Belgique, elle paie ses impôts où ?",
        "femme de ménage à Tourcoing",
        "man",
    ],
)
def test_questions_of_the_topics_are_not_out_of_scope(text: str) -> None:
    assert subject_of(text) is None


@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize("language", ["fr", "nl"])
def test_every_subject_says_where_to_ask_in_both_languages(subject: str, language: str) -> None:
    text = messages.text(language, f"out_of_scope.{subject}")
    if subject not in (SALARY_NEGOTIATION, PARTNER):
        assert "https://" in text  # the official service to ask
    else:
        assert ("conseiller" if language == "fr" else "consulent") in text


async def test_a_subject_gets_its_answer_and_a_consultant_button() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text="visum voor mijn vrouw", intent="out_of_scope", slots={"language": "nl"}
    )
    await ActionOutOfScope().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert message["text"] == messages.text("nl", "out_of_scope.residence")
    assert [b["payload"] for b in message["buttons"]] == ["/ask_human"]


async def test_any_other_question_gets_the_general_answer() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text="quelle est la recette du waterzooi ?", intent="out_of_scope", slots={"language": "fr"}
    )
    await ActionOutOfScope().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_out_of_scope"]


@pytest.mark.parametrize(
    "text",
    [
        "Dites, il va flotter ou pleuvoir samedi du côté de Maubeuge ?",
        "quel temps il fera demain pour aller bosser à Menin",
        "zou het morgen regenen in Poperinge?",
        "is er sneeuw of regen voorspeld voor Veurne?",
    ],
)
def test_a_question_about_the_weather_is_out_of_scope(text: str) -> None:
    assert is_weather_talk(text)


@pytest.mark.parametrize(
    "text",
    [
        "je cherche un mi-temps comme vendeuse à Armentières",
        "combien de temps pour faire reconnaître mon diplôme ?",
        "ik wil weer aan de slag als poetshulp in Waregem",
        "wat is het weekloon van een lasser?",
    ],
)
def test_time_and_again_are_not_the_weather(text: str) -> None:
    assert not is_weather_talk(text)
