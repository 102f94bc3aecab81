"""Keeping the knowledge correct: who reviewed each file and when, and what is due again."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from bot import knowledge
from bot.knowledge import review

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date.today()


@pytest.mark.parametrize("name", sorted(knowledge.topics()))
def test_every_file_says_who_reviewed_it_and_when_and_never_in_the_future(name: str) -> None:
    topic = knowledge.topics()[name]
    assert review.problems(topic, TODAY) == []
    assert topic.checked <= topic.reviewed <= TODAY
    assert topic.reviewed_by and topic.expert_review


def test_the_expert_review_is_honestly_pending_until_someone_has_done_it() -> None:
    for topic in knowledge.topics().values():
        assert "project team" in topic.reviewed_by
        assert topic.expert_review.startswith("pending"), topic.name


def test_a_review_date_in_the_future_is_an_error() -> None:
    topic = knowledge.topics()["taxes"]
    tomorrow = replace(topic, reviewed=TODAY + dt.timedelta(days=1))
    assert review.problems(tomorrow, TODAY) == [
        f"taxes: reviewed {tomorrow.reviewed.isoformat()} is in the future"
    ]
    assert "ERROR taxes: reviewed" in review.report(TODAY, all_topics=[tomorrow])


def test_volatile_topics_are_due_after_six_months_and_others_after_twelve() -> None:
    taxes = replace(knowledge.topics()["taxes"], reviewed=dt.date(2026, 8, 31), volatile=True)
    stable = replace(taxes, volatile=False)
    assert review.due_date(taxes) == dt.date(2027, 2, 28)
    assert review.due_date(stable) == dt.date(2027, 8, 31)


def test_the_report_lists_the_topics_due_with_their_sources() -> None:
    topics = knowledge.topics()
    old = replace(topics["taxes"], reviewed=dt.date(2026, 1, 5))
    recent = replace(topics["pension"], reviewed=dt.date(2026, 12, 1))
    text = review.report(dt.date(2026, 12, 7), all_topics=[old, recent])
    assert "1 of 2 topics due" in text
    assert "[DUE] taxes: due 2026-07-05" in text
    assert "https://financien.belgium.be/nl/particulieren" in text
    assert "pension" not in text


def test_make_knowledge_report_runs_on_the_real_files() -> None:
    later = dt.date.today() + dt.timedelta(days=800)
    done = subprocess.run(
        [sys.executable, "-m", "bot.knowledge.review", "--today", later.isoformat()],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "20 of 20 topics due" in done.stdout
    assert "https://www.impots.gouv.fr/international-particulier" in done.stdout


def test_the_glossary_says_who_reviewed_it_and_when_and_never_in_the_future() -> None:
    import yaml

    data = yaml.safe_load((ROOT / "bot" / "resources" / "glossary.yml").read_text("utf-8"))
    reviewed = data["reviewed"]
    assert isinstance(reviewed, dt.date) and reviewed <= TODAY
    assert "project team" in data["reviewed_by"]
    assert data["expert_review"].startswith("pending")
