"""Facts the website shows agree with the knowledge files the assistant answers from."""

from __future__ import annotations

import re

import pytest

from bot import knowledge
from bot.config import Settings
from bot.messages import text
from bot.web import content

LANGUAGES = ("fr", "nl")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("service", content.SERVICES)
def test_service_phone_numbers_are_those_of_the_assistants_answer(lang: str, service: str) -> None:
    answer = knowledge.topics()["job_search_services"].answers["general"].text[lang]
    assert text(lang, f"web.contacts.{service}.phone") in answer


@pytest.mark.parametrize("lang", LANGUAGES)
def test_retention_period_is_the_one_the_assistant_states(lang: str) -> None:
    # The privacy page shows BOT_RETENTION_DAYS; the assistant's answer says it too.
    privacy = knowledge.topics()["privacy"]
    days = {"fr": "jours", "nl": "dagen"}[lang]
    assert re.search(rf"\b180 {days}\b", knowledge.render(privacy, "general", lang))
    shorter = knowledge.render(privacy, "general", lang, Settings(retention_days=90))
    assert re.search(rf"\b90 {days}\b", shorter) and "180" not in shorter
    assert "{days}" in text(lang, "web.privacy.how_long")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_official_sites_come_from_the_knowledge_files(lang: str) -> None:
    urls = {contact.url for contact in content.service_contacts(lang)}
    assert urls == {"https://www.francetravail.fr", "https://www.leforem.be", "https://www.vdab.be"}


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_every_intent_has_a_name_for_consultants(lang: str) -> None:
    """The console shows "Question : impôts", never ``faq/taxes``: every intent needs one."""
    from bot.console.intents import intent_choices
    from bot.messages import catalog

    names = catalog(lang)["console"]["intent_names"]
    missing = {*intent_choices(), "nlu_fallback"} - set(names)
    assert not missing
    assert all(name.strip() and "/" not in name and "_" not in name for name in names.values())
