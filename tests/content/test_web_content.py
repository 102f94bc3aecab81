"""Facts the website shows agree with the knowledge files the assistant answers from."""

from __future__ import annotations

import re

import pytest

from bot import knowledge
from bot.messages import text
from bot.web import content
from bot.web.public import RETENTION_DAYS

LANGUAGES = ("fr", "nl")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("service", content.SERVICES)
def test_service_phone_numbers_are_those_of_the_assistants_answer(lang: str, service: str) -> None:
    answer = knowledge.topics()["job_search_services"].answers["general"].text[lang]
    assert text(lang, f"web.contacts.{service}.phone") in answer


@pytest.mark.parametrize("lang", LANGUAGES)
def test_retention_period_is_the_one_the_assistant_states(lang: str) -> None:
    answer = knowledge.topics()["privacy"].answers["general"].text[lang]
    assert re.search(rf"\b{RETENTION_DAYS}\b", answer)
    assert "{days}" in text(lang, "web.privacy.how_long")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_official_sites_come_from_the_knowledge_files(lang: str) -> None:
    urls = {contact.url for contact in content.service_contacts(lang)}
    assert urls == {"https://www.francetravail.fr", "https://www.leforem.be", "https://www.vdab.be"}
