"""The conversation list's search finds a phone in any form, a reference, a town in either
language (real SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from bot.console import conversations
from bot.console.projection import refresh_projection
from bot.storage import db, rasa_events
from tests.console_factories import bot, greeting, slot, store_events, user


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    created = db.make_engine(database_url)
    rasa_events.create(created)
    with db.transaction(created) as conn:
        store_events(
            conn,
            "belgian-phone",
            [
                *greeting("Dag", "nl"),
                slot("requested_slot", "callback_phone"),
                user("mijn gsm is 0470/12.34.56", "inform", 0.5, "nl"),
                slot("callback_phone", "+32470123456"),
            ],
        )
        store_events(
            conn,
            "french-phone",
            [*greeting(), user("appelez-moi au 06 12 34 56 78", "ask_human", 0.9)],
        )
        store_events(
            conn,
            "booked",
            [
                *greeting(),
                bot("C'est fait. Votre référence : K7P2-QX9M.", "utter_booking_confirmed"),
            ],
        )
        store_events(
            conn, "courtrai", [*greeting(), user("soudeur à Courtrai", "search_vacancies")]
        )
        store_events(
            conn,
            "kortrijk",
            [*greeting("Dag", "nl"), user("lasser in Kortrijk", "search_vacancies", language="nl")],
        )
        store_events(conn, "lille", [*greeting(), user("un job à Lille", "search_vacancies")])
    refresh_projection(created)
    yield created
    created.dispose()


def _found(engine: Engine, term: str) -> set[str]:
    with db.reading(engine) as conn:
        page = conversations.list_conversations(conn, conversations.ConversationFilter(search=term))
    return {row.sender_id for row in page.items}


@pytest.mark.parametrize(
    "term",
    ["0470 12 34 56", "0470123456", "+32 470 12 34 56", "+32470123456", "0032 470 12 34 56"],
)
def test_a_phone_number_typed_in_any_form_finds_the_conversation(engine: Engine, term: str) -> None:
    assert _found(engine, term) == {"belgian-phone"}


def test_a_french_number_is_found_by_its_international_form(engine: Engine) -> None:
    assert _found(engine, "+33 6 12 34 56 78") == {"french-phone"}
    assert _found(engine, "06.12.34.56.78") == {"french-phone"}
    assert _found(engine, "06 12 34 56 79") == set()


@pytest.mark.parametrize("term", ["K7P2-QX9M", "k7p2qx9m", "k7p2 qx9m"])
def test_a_booking_reference_finds_the_conversation_that_booked(engine: Engine, term: str) -> None:
    assert _found(engine, term) == {"booked"}


def test_a_town_is_found_by_its_name_in_either_language(engine: Engine) -> None:
    assert _found(engine, "Kortrijk") == {"courtrai", "kortrijk"}
    assert _found(engine, "courtrai") == {"courtrai", "kortrijk"}
    assert _found(engine, "Rijsel") == {"lille"}
    assert _found(engine, "lasser kortrijk") == {"kortrijk"}  # with another word: both needed
