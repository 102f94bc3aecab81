"""The dialogue panel's files are well formed: enough conversations per language, every
outcome a check the runner has, every session named exists in the demo data."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from benchmarks import dialogue_panel
from bot.sessions import demo

SLUGS = {planned.slug for planned in demo.plan(dt.date(2026, 12, 7))}
CHECKS = {name.removeprefix("_outcome_") for name in dir(dialogue_panel.Conversation)
          if name.startswith("_outcome_")} | {"booked"}  # fmt: skip


@pytest.mark.parametrize("language", dialogue_panel.LANGUAGES)
def test_each_language_has_at_least_forty_conversations(language: str) -> None:
    stories = dialogue_panel.conversations(language)
    assert len(stories) >= 40
    assert len({s["name"] for s in stories}) == len(stories)


@pytest.mark.parametrize("language", dialogue_panel.LANGUAGES)
def test_every_outcome_is_a_check_and_every_session_exists(language: str) -> None:
    for story in dialogue_panel.conversations(language):
        assert story["wants"] and story["turns"], story["name"]
        assert set(story["outcome"]) <= CHECKS, story["name"]
        assert set(story.get("asks") or []) <= set(dialogue_panel.ACTING), story["name"]
        named = [str(story["outcome"].get("booked", "chosen")), story.get("booking", "chosen")]
        for turn in story["turns"]:
            if isinstance(turn.get("chooses"), str):
                named.append(turn["chooses"])
            named += re.findall(r"\{weekday:([\w-]+)\}", turn["user"])
        assert {n for n in named if n != "chosen"} <= SLUGS, story["name"]
