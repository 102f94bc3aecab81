"""The training-data inbox on real databases, and an export that Rasa itself can read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.config import PROJECT_DIR
from bot.console import inbox
from bot.console.intents import intent_choices
from bot.console.projection import refresh_projection
from bot.storage import db, rasa_events
from bot.training import data as training_data
from tests.console_factories import action, greeting, slot, store_events, user

ACTOR = "consultant@example.org"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    created = db.make_engine(database_url)
    rasa_events.create(created)
    yield created
    created.dispose()


def _known_french_example() -> str:
    examples = training_data.examples_in(PROJECT_DIR / "data" / "nlu_fr", plain=True)
    return examples["greet"][0]


def _fill(engine: Engine) -> dict[str, int]:
    with db.transaction(engine) as conn:
        store_events(
            conn,
            "fr-1",
            [
                *greeting(),
                user("c koi le taux pour les frontaliers", "faq", 0.41, "fr", faq="taxes"),
                user("écrivez à jo@example.org ou au 06 12 34 56 78", "help", 0.3, "fr"),
                user("blorfzak", "nlu_fallback", 0.2, "fr"),
                action("action_two_stage_fallback"),
                user(_known_french_example(), "greet", 0.5, "fr"),
            ],
        )
        store_events(
            conn,
            "nl-1",
            [
                *greeting("Dag", "nl"),
                user("hoeveel verdien ik netto over de grens", "faq", 0.45, "nl", faq="wages"),
                user("Kortrijk", "inform_direction", 0.4, language="other"),  # conversation's: nl
                user("zelfde vraag", "faq", 0.3, "nl", faq="wages"),
                slot("language", "nl"),
            ],
        )
    refresh_projection(engine, inbox_confidence=0.6)
    with db.reading(engine) as conn:
        items, _ = inbox.list_inbox(conn, 0.6)
    return {item.text: item.id for item in items}


def test_inbox_lists_poorly_understood_messages_with_personal_data_masked(engine: Engine) -> None:
    ids = _fill(engine)
    assert "blorfzak" in ids and "Kortrijk" in ids
    assert not any("example.org" in text for text in ids)
    with db.reading(engine) as conn:
        french, _ = inbox.list_inbox(conn, 0.6, language="fr")
        dutch, _ = inbox.list_inbox(conn, 0.6, language="nl")
    assert {i.sender_id for i in french} == {"fr-1"} and {i.sender_id for i in dutch} == {"nl-1"}
    assert {i.suggested_intent for i in french} >= {"faq/taxes"}


def test_export_is_rasa_nlu_yaml_split_by_language_masked_and_deduplicated(
    engine: Engine, tmp_path: Path
) -> None:
    from rasa.shared.nlu.training_data.loading import load_data

    ids = _fill(engine)
    choices = intent_choices()
    labels = {
        "c koi le taux pour les frontaliers": "faq/taxes",
        "écrivez à ***@*** ou au ***": "help",
        _known_french_example(): "greet",
        "hoeveel verdien ik netto over de grens": "faq/wages",
        "Kortrijk": "inform_direction",
    }
    with db.transaction(engine) as conn:
        for text, intent in labels.items():
            assert inbox.label(conn, ids[text], intent, ACTOR, choices)
        assert not inbox.label(conn, ids["zelfde vraag"], "not_an_intent", ACTOR, choices)
        assert inbox.ignore(conn, ids["blorfzak"], ACTOR)
    with db.reading(engine) as conn:
        french = inbox.export_yaml(conn, "fr")
        dutch = inbox.export_yaml(conn, "nl")
    assert (french.examples, french.duplicates) == (2, 1)  # the known greeting is left out
    assert dutch.examples == 2
    assert "example.org" not in french.text and "06 12" not in french.text
    for language, export in (("fr", french), ("nl", dutch)):
        path = tmp_path / f"{language}.yml"
        path.write_text(export.text, encoding="utf-8")
        loaded = load_data(str(path))
        examples = {(m.get("intent"), m.get("text")) for m in loaded.intent_examples}
        full = {(m.get_full_intent(), m.get("text")) for m in loaded.intent_examples}
        assert len(examples) == export.examples
        if language == "fr":
            assert ("faq/taxes", "c koi le taux pour les frontaliers") in full
            assert ("help", "écrivez à ***@*** ou au ***") in full
        else:
            assert ("faq/wages", "hoeveel verdien ik netto over de grens") in full
            assert ("inform_direction", "Kortrijk") in full


def test_empty_export_is_still_a_valid_file(engine: Engine, tmp_path: Path) -> None:
    from rasa.shared.nlu.training_data.loading import load_data

    with db.reading(engine) as conn:
        export = inbox.export_yaml(conn, "nl")
    path = tmp_path / "empty.yml"
    path.write_text(export.text, encoding="utf-8")
    assert export.examples == 0 and load_data(str(path)).intent_examples == []


def test_reopened_message_is_open_again(engine: Engine) -> None:
    ids = _fill(engine)
    with db.transaction(engine) as conn:
        inbox.ignore(conn, ids["Kortrijk"], ACTOR)
        assert inbox.counts(conn, 0.6)["ignored"] == 1
        inbox.reopen(conn, ids["Kortrijk"])
        assert inbox.counts(conn, 0.6)["ignored"] == 0
