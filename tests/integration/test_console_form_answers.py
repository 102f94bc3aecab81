"""No personal value typed into a form reaches the inbox, an export or the fallback counts.

Real SQLite and PostgreSQL. The conversations below answer every personal question of the
three forms (booking, callback, cancellation): the answers are read with low confidence, as
``nlu_fallback`` followed by a fallback action, or confidently with every confident message
sampled (``inbox_sample=1.0``), so that each way into the inbox is tried.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import insert, select, text
from sqlalchemy.engine import Engine

from bot.console import inbox
from bot.console.intents import intent_choices
from bot.console.projection import refresh_projection
from bot.storage import db, migrate, rasa_events
from bot.storage.console import conversations, inbox_messages
from tests.console_factories import action, bot, greeting, slot, store_events, user

ACTOR = "consultant@example.org"
# Every personal value the forms below receive, as typed.
PERSONAL = {
    "Marie-Claire Vandeputte",
    "marie.vandeputte@example.org",
    "06 12 34 56 78",
    "Jan Peeters",
    "+32 470 12 34 56",
    "jan.peeters@voorbeeld.be",
    "dinsdagvoormiddag na tien uur",
    "BK-7Q2M9X",
}


def _ask(slot_name: str, form: str) -> list[dict[str, Any]]:
    return [
        action(form),
        slot("requested_slot", slot_name),
        bot("…", f"utter_ask_{slot_name}"),
        action("action_listen"),
    ]


def _booking() -> list[dict[str, Any]]:
    form = "info_session_form"
    return [
        *greeting(),
        user("je veux m'inscrire à une séance", "book_info_session", 0.97),
        {"event": "active_loop", "timestamp": 1.0, "metadata": {}, "name": form},
        *_ask("candidate_name", form),
        user("Marie-Claire Vandeputte", "nlu_fallback", 0.31),
        action("action_default_fallback"),  # what made the conversation "incompris" before
        *_ask("candidate_email", form),
        user("marie.vandeputte@example.org", "greet", 0.4),
        *_ask("candidate_phone", form),
        user("06 12 34 56 78", "affirm", 0.95),  # confident: only the sample could take it
        slot("requested_slot", None),
        {"event": "active_loop", "timestamp": 2.0, "metadata": {}, "name": None},
        bot("Inscription confirmée", "utter_booking_confirmed"),
        user("c quoi le taux pour les frontaliers", "faq", 0.42, faq="taxes"),  # NLU material
        user("merci beaucoup", "thank", 0.97),
    ]


def _callback_then_cancel() -> list[dict[str, Any]]:
    form = "callback_form"
    return [
        *greeting("Dag", "nl"),
        user("ik wil iemand spreken", "ask_human", 0.96, "nl"),
        {"event": "active_loop", "timestamp": 1.0, "metadata": {}, "name": form},
        *_ask("callback_name", form),
        user("Jan Peeters", "nlu_fallback", 0.2, "nl"),
        *_ask("callback_phone", form),
        user("+32 470 12 34 56", "inform", 0.5, "nl"),
        *_ask("callback_email", form),
        user("jan.peeters@voorbeeld.be", "greet", 0.35, "nl"),
        *_ask("callback_moment", form),
        user("dinsdagvoormiddag na tien uur", "nlu_fallback", 0.25, "nl"),
        action("action_two_stage_fallback"),
        slot("requested_slot", None),
        {"event": "active_loop", "timestamp": 2.0, "metadata": {}, "name": None},
        user("ik wil mijn inschrijving annuleren", "cancel_booking", 0.93, "nl"),
        {"event": "active_loop", "timestamp": 3.0, "metadata": {}, "name": "cancel_booking_form"},
        *_ask("booking_reference", "cancel_booking_form"),
        user("BK-7Q2M9X", "nlu_fallback", 0.3, "nl"),
        {"event": "restart", "timestamp": 4.0, "metadata": {}},
        user("blorfzak", "nlu_fallback", 0.2, "nl"),  # after the form: a real misunderstanding
    ]


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    created = db.make_engine(database_url)
    rasa_events.create(created)
    yield created
    created.dispose()


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _leaks(found: str) -> set[str]:
    """The personal values in ``found``, as typed or by their digits (phones, references)."""
    folded = found.lower()
    digits = _digits(found)
    leaked = {v for v in PERSONAL if v.lower() in folded}
    leaked |= {v for v in PERSONAL if len(_digits(v)) >= 6 and _digits(v)[-8:] in digits}
    for value in PERSONAL:  # a name or a moment split over masking: each long word
        if any(len(word) > 4 and word.lower() in folded for word in value.split()):
            leaked.add(value)
    return leaked


def _store_and_project(engine: Engine, sample: float = 1.0) -> None:
    """The two conversations, projected in small batches (a form's state crosses them)."""
    with db.transaction(engine) as conn:
        store_events(conn, "fr-booking", _booking())
        store_events(conn, "nl-callback", _callback_then_cancel())
    refresh_projection(engine, 0.6, batch_events=7, inbox_sample=sample)


def _inbox_text(engine: Engine) -> str:
    with db.reading(engine) as conn:
        return "\n".join(conn.execute(select(inbox_messages.c.text)).scalars())


def test_no_form_answer_reaches_the_inbox_or_an_export(engine: Engine) -> None:
    _store_and_project(engine)
    stored = _inbox_text(engine)
    assert _leaks(stored) == set()
    assert "c quoi le taux pour les frontaliers" in stored and "blorfzak" in stored  # control
    assert "merci beaucoup" in stored  # sampled: every confident message at 1.0
    with db.transaction(engine) as conn:
        items, _ = inbox.list_inbox(conn, 0.6, page_size=1000)
        for item in items:  # every message labelled, so that every one is exported
            assert inbox.label(conn, item.id, "help", ACTOR, intent_choices())
    with db.reading(engine) as conn:
        exported = "\n".join(inbox.export_yaml(conn, lang).text for lang in ("fr", "nl"))
    assert "blorfzak" in exported
    assert _leaks(exported) == set()


def test_the_leak_check_sees_a_form_answer_in_the_inbox(engine: Engine) -> None:
    """Control: the check above would fail if a form answer got into the table."""
    _store_and_project(engine)
    with db.transaction(engine) as conn:
        conn.execute(
            insert(inbox_messages).values(
                sender_id="x", message_key="k", at=0.0, text="mon nom : Jan Peeters"
            )
        )
    assert _leaks(_inbox_text(engine)) == {"Jan Peeters"}


def test_form_answers_are_not_counted_as_not_understood(engine: Engine) -> None:
    _store_and_project(engine, sample=0.0)
    with db.reading(engine) as conn:
        rows = {
            r.sender_id: r
            for r in conn.execute(
                select(
                    conversations.c.sender_id, conversations.c.fallbacks, conversations.c.intents
                )
            )
        }
    assert rows["fr-booking"].fallbacks == 0
    assert rows["nl-callback"].fallbacks == 1  # blorfzak, after the restart
    assert "nlu_fallback" not in rows["fr-booking"].intents.split()


def test_a_form_answer_cannot_be_reported_into_the_inbox(engine: Engine) -> None:
    _store_and_project(engine, sample=0.0)
    with db.reading(engine) as conn:
        events = rasa_events.events.c
        ids = {
            json.loads(data)["text"]: event_id
            for event_id, data in conn.execute(
                select(events.id, events.data).where(
                    events.sender_id == "fr-booking", events.type_name == "user"
                )
            )
        }
    with db.transaction(engine) as conn:
        assert inbox.report(conn, "fr-booking", ids["06 12 34 56 78"], ACTOR) == "form_answer"
        assert inbox.report(conn, "fr-booking", ids["merci beaucoup"], ACTOR) == "reported"
        assert inbox.report(conn, "nl-callback", ids["merci beaucoup"], ACTOR) == "not_found"
    with db.reading(engine) as conn:
        items, _ = inbox.list_inbox(conn, 0.6, page_size=1000)
    reported = [i for i in items if i.reason == "reported"]
    assert [i.text for i in reported] == ["merci beaucoup"]
    assert _leaks(_inbox_text(engine)) == set()


def test_migration_purges_form_answers_of_the_old_inbox(database_url: str, tmp_path: Path) -> None:
    """A database at ``console_0001`` whose inbox holds form answers, as the old code left it."""
    url = database_url
    engine = db.make_engine(url)
    command.downgrade(migrate.alembic_config(url), "console_0001")
    rasa_events.create(engine)
    with db.transaction(engine) as conn:
        store_events(conn, "nl-callback", _callback_then_cancel())
        rows = conn.execute(
            select(rasa_events.events.c.id, rasa_events.events.c.data).where(
                rasa_events.events.c.type_name == "user"
            )
        ).all()
        old = []
        for event_id, data in rows:
            event = json.loads(data)
            intent = event["parse_data"]["intent"]
            if intent["confidence"] < 0.6 or intent["name"] == "nlu_fallback":
                old.append(
                    {
                        "sender_id": "nl-callback",
                        "message_key": event["message_id"],
                        "event_id": event_id,
                        "at": event["timestamp"],
                        "text": event["text"],
                        "intent": intent["name"],
                        "confidence": intent["confidence"],
                        "fallback": intent["name"] == "nlu_fallback",
                        "status": "labelled",
                        "label": "help",
                    }
                )
        conn.execute(text("INSERT INTO inbox_messages " + _columns(old[0])), old)
        conn.execute(
            text(
                "INSERT INTO conversations (sender_id, first_at, last_at, first_day, fallbacks,"
                " fallback, intents, state) VALUES ('nl-callback', 1, 2, '2026-12-01', 4, :t,"
                " '', '{}')"
            ),
            {"t": True},
        )
    assert _leaks(_inbox_text(engine)) == {
        "Jan Peeters",
        "+32 470 12 34 56",
        "jan.peeters@voorbeeld.be",
        "dinsdagvoormiddag na tien uur",
        "BK-7Q2M9X",
    }
    migrate.upgrade(url)
    assert _leaks(_inbox_text(engine)) == set()
    assert "blorfzak" in _inbox_text(engine)
    with db.reading(engine) as conn:
        row = conn.execute(
            select(conversations).where(conversations.c.sender_id == "nl-callback")
        ).one()
    # Four fallbacks before (Jan Peeters, the moment, the reference, blorfzak): one is left.
    assert row.fallbacks == 1 and bool(row.fallback)
    assert json.loads(row.state)["requested_slot"] is None  # restarted after the form
    engine.dispose()


def _columns(row: dict[str, Any]) -> str:
    names = ", ".join(row)
    return f"({names}) VALUES ({', '.join(':' + n for n in row)})"
