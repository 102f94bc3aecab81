"""Stopping the vacancy search says how to search again, in both languages (issue 21)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot import gazetteer
from bot.messages import text

ROOT = Path(__file__).resolve().parents[2]
QUOTED = re.compile(r"[«'‘“]\s*([^«»'’”]+?)\s*[»'’”]")


def _stopped() -> list[tuple[str, str]]:
    domain = yaml.safe_load((ROOT / "domain" / "vacancies.yml").read_text(encoding="utf-8"))
    variations = domain["responses"]["utter_vacancy_search_stopped"]
    return [(v["condition"][0]["value"], v["text"]) for v in variations]


def test_the_stop_reply_exists_in_french_and_in_dutch() -> None:
    assert sorted(language for language, _ in _stopped()) == ["fr", "nl"]


@pytest.mark.parametrize(
    ("language", "said"),
    [*_stopped(), *((lang, text(lang, "forms.resume.search")) for lang in ("fr", "nl"))],
)
def test_the_stop_reply_gives_a_search_to_type_again(language: str, said: str) -> None:
    """The example in quotes is a whole search: an occupation and a place the assistant
    knows, so that typing it starts a search at once."""
    examples = QUOTED.findall(said)
    assert examples, said
    kinds = {span.kind for span in gazetteer.extract(examples[-1], language)}
    assert {gazetteer.OCCUPATION, gazetteer.PLACE} <= kinds, examples
