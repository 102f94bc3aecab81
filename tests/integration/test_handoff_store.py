"""Callback requests on SQLite and PostgreSQL: idempotency, the queue, status, erasure."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot import handoff
from bot.errors import CallbackNotFound, InvalidPhone
from bot.storage import db
from bot.storage.handoff import callback_requests

T0 = datetime(2026, 12, 2, 9, 30, tzinfo=timezone.utc)


def _callback(engine: Engine, **overrides: Any) -> handoff.CallbackRequest:
    values: dict[str, Any] = {
        "sender_id": "conv-1",
        "message_id": "m-1",
        "language": "fr",
        "channel": "socketio",
        "name": "Marie Dupont",
        "phone": "+33612345678",
        "email": "Marie.Dupont@Gmail.com",
        "preferred_moment": "morning",
        "topic": "faq/taxes",
        "consent_at": T0,
        "consent_version": handoff.CONSENT_TEXT_VERSION,
        "now": T0,
        **overrides,
    }
    with db.transaction(engine) as conn:
        return handoff.request_callback(conn, **values)


def _rows(engine: Engine) -> int:
    with db.transaction(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(callback_requests)).scalar_one())


def test_callback_request_is_stored_with_utc_times_and_lower_case_email(engine: Engine) -> None:
    stored = _callback(engine, phone="06 12 34 56 78")
    assert stored.id > 0 and stored.status == "new" and stored.live is False
    assert stored.phone == "+33612345678"  # E.164 whatever the form gave
    assert stored.email == "marie.dupont@gmail.com"
    assert stored.created_at == stored.updated_at == T0
    assert stored.consent_at == T0 and stored.consent_at.tzinfo is not None
    with db.transaction(engine) as conn:
        assert handoff.list_callbacks(conn) == [stored]


def test_repeated_message_returns_the_stored_request(engine: Engine) -> None:
    first = _callback(engine)
    again = _callback(engine, name="Someone Else", now=T0 + timedelta(minutes=1))
    assert again == first
    assert _rows(engine) == 1
    other_message = _callback(engine, message_id="m-2")
    assert other_message.id != first.id and _rows(engine) == 2


def test_same_message_from_two_threads_makes_one_row(engine: Engine) -> None:
    results: list[int] = []
    barrier = threading.Barrier(8)

    def request() -> None:
        barrier.wait()
        results.append(_callback(engine, message_id="m-race").id)

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8 and len(set(results)) == 1
    assert _rows(engine) == 1


def test_live_request_needs_no_contact_and_is_not_queued_twice(engine: Engine) -> None:
    live = _callback(
        engine, live=True, name=None, phone=None, email=None, consent_at=None,
        consent_version=None, preferred_moment=None,
    )  # fmt: skip
    assert live.live and live.name is None and live.status == "new"
    assert _callback(engine, live=True, message_id="m-9", name=None, phone=None) == live
    with db.transaction(engine) as conn:
        handoff.set_callback_status(conn, live.id, "done", "sophie")
    later = _callback(engine, live=True, message_id="m-10", name=None, phone=None)
    assert later.id != live.id  # the first one is closed: a new request


@pytest.mark.parametrize(
    "overrides",
    [{"name": None}, {"phone": None}, {"consent_at": None}, {"consent_version": None},
     {"language": "en"}],
)  # fmt: skip
def test_incomplete_callback_request_is_refused(engine: Engine, overrides: dict) -> None:
    with pytest.raises(ValueError):
        _callback(engine, **overrides)
    assert _rows(engine) == 0


def test_foreign_phone_number_is_refused(engine: Engine) -> None:
    with pytest.raises(InvalidPhone):
        _callback(engine, phone="+44 20 7946 0958")


def test_queue_is_oldest_first_and_filters_by_status(engine: Engine) -> None:
    first = _callback(engine, message_id="a", now=T0)
    second = _callback(engine, sender_id="conv-2", message_id="b", now=T0 + timedelta(hours=1))
    with db.transaction(engine) as conn:
        done = handoff.set_callback_status(
            conn, first.id, "done", "jan.vdab", now=T0 + timedelta(hours=2)
        )
    assert done.status == "done" and done.consultant == "jan.vdab"
    assert done.updated_at == T0 + timedelta(hours=2) and done.created_at == T0
    with db.transaction(engine) as conn:
        assert [c.id for c in handoff.list_callbacks(conn)] == [first.id, second.id]
        assert handoff.list_callbacks(conn, status="new") == [second]
        assert [c.id for c in handoff.list_callbacks(conn, "done")] == [first.id]
        with pytest.raises(ValueError):
            handoff.list_callbacks(conn, status="closed")


def test_status_of_unknown_request_or_unknown_status_is_refused(engine: Engine) -> None:
    stored = _callback(engine)
    with db.transaction(engine) as conn:
        with pytest.raises(CallbackNotFound):
            handoff.set_callback_status(conn, stored.id + 100, "done", "x")
        with pytest.raises(ValueError):
            handoff.set_callback_status(conn, stored.id, "closed", "x")
        in_progress = handoff.set_callback_status(conn, stored.id, "in_progress", "sophie")
        assert in_progress.status == "in_progress"
        no_answer = handoff.set_callback_status(conn, stored.id, "no_answer", "sophie")
        assert no_answer.status == "no_answer"


def test_candidate_is_found_by_email_phone_or_conversation(engine: Engine) -> None:
    mine = _callback(engine, message_id="a")
    also_mine = _callback(engine, sender_id="conv-9", message_id="b", email=None)
    _callback(engine, sender_id="conv-3", message_id="c", phone="0470 12 34 56", email=None)
    with db.transaction(engine) as conn:
        by_email = handoff.callbacks_for_candidate(conn, email="MARIE.DUPONT@gmail.com")
        by_phone = handoff.callbacks_for_candidate(conn, phone="06 12 34 56 78")
        by_sender = handoff.callbacks_for_candidate(conn, sender_id="conv-9")
        assert by_email == [mine]
        assert by_phone == [mine, also_mine]
        assert by_sender == [also_mine]
        assert handoff.callbacks_for_candidate(conn, phone="nonsense") == []
        with pytest.raises(ValueError):
            handoff.callbacks_for_candidate(conn)


def test_erasure_anonymises_the_candidates_rows_only(engine: Engine) -> None:
    mine = _callback(engine, message_id="a")
    _callback(engine, sender_id="conv-9", message_id="b", email=None)
    other = _callback(engine, sender_id="conv-3", message_id="c", phone="0470123456", email=None)
    with db.transaction(engine) as conn:
        assert handoff.erase_candidate(conn, phone="+33 6 12 34 56 78", now=T0) == 2
    with db.transaction(engine) as conn:
        assert handoff.list_callbacks(conn) == [other]
        assert handoff.callbacks_for_candidate(conn, sender_id="conv-1") == []
        assert handoff.erase_candidate(conn, phone="+33612345678") == 0  # nothing left
        erased = conn.execute(
            select(callback_requests).where(callback_requests.c.id == mine.id)
        ).one()
    assert erased.name is erased.phone is erased.email is erased.topic is None
    assert erased.preferred_moment is None
    assert erased.sender_id == f"erased:{mine.id}" and erased.erased_at is not None
    assert erased.status == "new" and erased.language == "fr"  # still counted
    assert _rows(engine) == 3
    with db.transaction(engine) as conn:
        with pytest.raises(CallbackNotFound):
            handoff.set_callback_status(conn, mine.id, "done", "x")
        with pytest.raises(ValueError):
            handoff.erase_candidate(conn)


def test_erasure_by_email_or_conversation(engine: Engine) -> None:
    _callback(engine, message_id="a")
    _callback(engine, sender_id="conv-2", message_id="b", email="jan@telenet.be")
    with db.transaction(engine) as conn:
        assert handoff.erase_candidate(conn, email="Jan@Telenet.be") == 1
        assert handoff.erase_candidate(conn, sender_id="conv-1") == 1
        assert handoff.list_callbacks(conn) == []


def test_migration_creates_the_table_the_code_describes(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.storage.tables import metadata

    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in differences if "callback_requests" in repr(d)] == []
