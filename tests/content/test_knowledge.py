"""The knowledge files: every topic of the contract answered in both languages, with sources."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot import knowledge, messages
from bot.knowledge.direction import Situation

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("fr", "nl")
# The faq/<topic> intents of the intent contract (PRODUCT.md), which analytics rely on.
CONTRACT_TOPICS = sorted(
    """frontier_worker taxes social_security health_insurance unemployment_benefits
    family_allowances pension diploma_recognition language_requirements commuting wages
    contracts job_search_services project job_dating training equal_opportunities
    cv_application working_conditions privacy""".split()
)
DIRECTION_TOPICS = {
    "frontier_worker",
    "taxes",
    "social_security",
    "health_insurance",
    "unemployment_benefits",
    "family_allowances",
}
TO_FLANDERS = Situation("fr", "be", "flanders")
TO_WALLONIA = Situation("fr", "be", "wallonia")
TO_FRANCE = Situation("be", "fr")
URL = re.compile(r"https://\S+")


def test_there_is_one_knowledge_file_per_contract_topic() -> None:
    assert len(knowledge.topics()) == 20
    assert sorted(knowledge.topics()) == CONTRACT_TOPICS


def test_direction_aware_topics_are_the_ones_that_depend_on_the_direction() -> None:
    aware = {name for name, topic in knowledge.topics().items() if topic.direction_required}
    assert aware == DIRECTION_TOPICS


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(knowledge.topics()))
def test_every_answer_exists_and_cites_a_source_of_its_knowledge_file(
    name: str, language: str
) -> None:
    topic = knowledge.topics()[name]
    known_urls = {urls[language] for urls in topic.sources.values()}
    for situation in (TO_FLANDERS, TO_WALLONIA, TO_FRANCE):
        choice = knowledge.reply(topic, situation)
        assert choice.key is not None, (name, situation)
        text = knowledge.render(topic, choice.key, language)
        assert knowledge.answer_text(topic.answers[choice.key], language) in text
        assert "{" not in text and "}" not in text
        cited = set(URL.findall(text))
        assert cited and cited <= known_urls, (name, cited)
        if topic.volatile:
            assert topic.checked.strftime("%d/%m/%Y") in text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(DIRECTION_TOPICS))
def test_direction_aware_answers_differ_between_the_two_directions(
    name: str, language: str
) -> None:
    topic = knowledge.topics()[name]
    to_belgium = knowledge.reply(topic, TO_FLANDERS)
    to_france = knowledge.reply(topic, TO_FRANCE)
    assert to_belgium.answer and to_france.answer
    assert to_belgium.answer.text[language] != to_france.answer.text[language]
    assert knowledge.render(topic, to_belgium.key, language) != knowledge.render(
        topic, to_france.key, language
    )


@pytest.mark.parametrize("name", sorted(DIRECTION_TOPICS))
def test_direction_aware_topics_ask_when_the_direction_is_unknown(name: str) -> None:
    topic = knowledge.topics()[name]
    for situation in (Situation(), Situation("fr", "fr")):
        assert knowledge.reply(topic, situation).missing == "direction"
    assert knowledge.reply(topic, Situation(residence="fr")).missing == "work"
    assert knowledge.reply(topic, Situation(work="be")).missing == "residence"


def test_topics_with_regional_answers_ask_for_the_region() -> None:
    regional = [t for t in knowledge.topics().values() if "fr-be-flanders" in t.answers]
    assert regional, "family allowances differ between Flanders and Wallonia"
    for topic in regional:
        assert knowledge.reply(topic, Situation("fr", "be")).missing == "region"
        flanders = knowledge.reply(topic, TO_FLANDERS).answer
        wallonia = knowledge.reply(topic, TO_WALLONIA).answer
        assert flanders and wallonia and flanders.text["fr"] != wallonia.text["fr"]


@pytest.mark.parametrize("name", sorted(knowledge.topics()))
def test_answers_fit_a_chat_bubble_and_are_written_in_their_language(name: str) -> None:
    from bot.language.detection import detect

    for key, answer in knowledge.topics()[name].answers.items():
        for language in LANGUAGES:
            text = answer.text[language]
            assert 150 <= len(text) <= knowledge.MAX_ANSWER_CHARS, (name, key, language)
            assert detect(text).name == language, (name, key, language)
            assert not URL.search(text), "links belong in sources, not in the text"


def test_labels_and_related_topics_exist_in_both_languages() -> None:
    for topic in knowledge.topics().values():
        assert all(topic.label[lang].strip() for lang in LANGUAGES)
        assert topic.name not in topic.related and 1 <= len(topic.related) <= 2


def test_generated_domain_responses_are_up_to_date() -> None:
    committed = (ROOT / knowledge.DOMAIN_FILE).read_text(encoding="utf-8")
    assert committed == knowledge.domain_responses(), "run: python -m bot.knowledge"


def test_catalog_has_every_situation_text() -> None:
    for language in LANGUAGES:
        for key in knowledge.DIRECTION_KEYS:
            assert messages.has_text(language, f"faq.situation.{key}")
            assert messages.has_text(language, f"faq.noted.{key}")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d["answers"]["general"].pop("nl"), "needs a text"),
        (lambda d: d["answers"]["general"].update(sources=["nowhere"]), "unknown sources"),
        (lambda d: d["answers"]["general"].update(sources=[]), "cites no source"),
        (lambda d: d.update(direction="required"), "direction answers"),
        (lambda d: d["sources"]["s"].update(fr="http://x"), "https"),
        (lambda d: d.pop("checked"), "checked"),
        (lambda d: d.update(reviewed="2026-13-01"), "reviewed is not a YYYY-MM-DD date"),
        (lambda d: d.update(reviewed="07/12/2026"), "reviewed is not a YYYY-MM-DD date"),
        (lambda d: d.pop("reviewed"), "reviewed"),
        (lambda d: d.update(reviewed_by=" "), "reviewed_by must be a non-empty text"),
        (lambda d: d.pop("expert_review"), "expert_review"),
        (lambda d: d["answers"]["general"].update(fr="Après {jours} jours."), "placeholders"),
        (lambda d: d["answers"]["general"].update(nl="Een { haakje."), "t.yml"),
        (lambda d: d["answers"]["general"].update(nl="Na {} dagen."), "placeholders"),
    ],
)
def test_a_broken_knowledge_file_is_refused_with_its_name(change, problem: str) -> None:
    data = {
        "topic": "t",
        "checked": "2026-11-25",
        "reviewed": "2026-12-07",
        "reviewed_by": "project team (from the sources cited)",
        "expert_review": "pending",
        "volatile": False,
        "direction": "none",
        "label": {"fr": "Sujet", "nl": "Onderwerp"},
        "sources": {"s": {"fr": "https://a.fr", "nl": "https://a.be"}},
        "answers": {"general": {"sources": ["s"], "fr": "Bonjour.", "nl": "Dag."}},
    }
    knowledge.parse(data, "t.yml")
    change(data)
    with pytest.raises(knowledge.KnowledgeError, match=problem) as error:
        knowledge.parse(data, "t.yml")
    assert "t.yml" in str(error.value)
