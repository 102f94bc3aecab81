"""Retention and abuse limits of bookings and callback requests (issue 22): the purge
anonymises them after ``records_days``, through the features of the privacy registry; a
conversation, an e-mail address, a phone number hold only a few; SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from bot import handoff, privacy, sessions
from bot.storage import db
from bot.storage.handoff import callback_requests
from bot.storage.sessions import info_sessions, session_bookings
from tests.factories import booking_fields, make_info_session

DAY = dt.timedelta(days=1)


def _booking_started(engine: Engine, days_ago: int) -> str:
    """The e-mail of a booking whose session started ``days_ago`` days ago."""
    fields = booking_fields()
    with db.transaction(engine) as conn:
        session = make_info_session(conn)
        sessions.book(conn, session.id, **fields)
        starts = dt.datetime.now(dt.timezone.utc) - days_ago * DAY
        conn.execute(
            update(info_sessions)
            .where(info_sessions.c.id == session.id)
            .values(starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
        )
    return str(fields["email"])


def _callback(engine: Engine, n: int, status: str | None, days_ago: int) -> int:
    with db.transaction(engine) as conn:
        stored = handoff.request_callback(
            conn,
            sender_id=f"conv-{n}",
            message_id=f"m-{n}",
            language="fr",
            name="Marie Dupont",
            phone="+33612345678",
            email=f"marie{n}@example.org",
            consent_at=dt.datetime.now(dt.timezone.utc),
            consent_version=handoff.CONSENT_TEXT_VERSION,
        )
        if status:
            handoff.set_callback_status(conn, stored.id, status, "sophie")
        conn.execute(
            update(callback_requests)
            .where(callback_requests.c.id == stored.id)
            .values(updated_at=dt.datetime.now(dt.timezone.utc) - days_ago * DAY)
        )
    return stored.id


def test_bookings_and_closed_callbacks_past_the_retention_are_anonymised(engine: Engine) -> None:
    old, recent = _booking_started(engine, 100), _booking_started(engine, 10)
    closed_old = _callback(engine, 1, "done", 100)
    open_old = _callback(engine, 2, None, 100)
    closed_recent = _callback(engine, 3, "no_answer", 10)
    with db.transaction(engine) as conn:
        privacy.purge(conn, 180, actor="test", now=time.time(), records_days=90)
    with db.reading(engine) as conn:
        emails = {row.email for row in conn.execute(select(session_bookings.c.email))}
        kept = {
            row.id: row.email
            for row in conn.execute(select(callback_requests.c.id, callback_requests.c.email))
        }
    assert old not in emails and recent in emails
    assert kept[closed_old] is None
    assert kept[open_old] == "marie2@example.org"  # still to be called back
    assert kept[closed_recent] == "marie3@example.org"


def test_every_feature_of_the_registry_has_a_retention() -> None:
    names = {feature.name for feature in privacy.FEATURES}
    assert names == {"bookings", "callbacks", "job_alerts"}
    # Job alerts have their own rules (7 days unconfirmed, ALERT_IDLE_DAYS unused), which
    # purge applies itself: tests/integration/test_alerts.py.
    assert all(callable(f.expire) for f in privacy.FEATURES if f.name != "job_alerts")


@pytest.mark.parametrize("lang", ["fr", "nl"])
async def test_the_privacy_page_states_the_records_and_backup_periods(
    aiohttp_client, tmp_path, lang: str
) -> None:
    from markupsafe import escape

    from bot.config import Settings
    from bot.messages import text
    from bot.storage import migrate
    from bot.web.app import create_app

    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    settings = Settings(
        var_dir=tmp_path, database_url=url, records_retention_days=60, alert_idle_days=45
    )
    client = await aiohttp_client(create_app(settings))
    page = await (await client.get(f"/{lang}/privacy")).text()
    assert str(escape(text(lang, "web.privacy.how_long_records").format(days=60))) in page
    assert str(escape(text(lang, "web.privacy.how_long_backups"))) in page
    assert str(escape(text(lang, "web.privacy.how_long_alerts").format(days=45))) in page


def test_a_conversation_and_an_email_hold_at_most_three_upcoming_bookings(
    engine: Engine,
) -> None:
    from bot.errors import BookingLimitReached

    with db.transaction(engine) as conn:
        upcoming = [make_info_session(conn) for _ in range(5)]
        for n, session in enumerate(upcoming[:3]):
            fields = booking_fields(sender_id="script", email=f"victim{n}@example.org")
            sessions.book(conn, session.id, **fields)
        with pytest.raises(BookingLimitReached) as per_conversation:
            sessions.book(conn, upcoming[3].id, **booking_fields(sender_id="script"))
        assert per_conversation.value.reason == "conversation"
        for n, session in enumerate(upcoming[:3]):
            fields = booking_fields(sender_id=f"other-{n}", email="victim@example.org")
            sessions.book(conn, session.id, **fields)
        with pytest.raises(BookingLimitReached) as per_email:
            fields = booking_fields(sender_id="yet-another", email="victim@example.org")
            sessions.book(conn, upcoming[4].id, **fields)
        assert per_email.value.reason == "email"
        # The same booking asked again is still returned, not refused.
        again = booking_fields(sender_id="other-0", email="victim@example.org")
        assert not sessions.book(conn, upcoming[0].id, **again).created


def test_a_conversation_and_a_phone_have_at_most_two_open_callback_requests(
    engine: Engine,
) -> None:
    from bot.errors import CallbackLimitReached

    now = dt.datetime.now(dt.timezone.utc)

    def ask(sender: str, message: str, phone: str = "+33612345678") -> handoff.CallbackRequest:
        with db.transaction(engine) as conn:
            return handoff.request_callback(
                conn,
                sender_id=sender,
                message_id=message,
                language="nl",
                name="Jan Peeters",
                phone=phone,
                consent_at=now,
                consent_version=handoff.CONSENT_TEXT_VERSION,
            )

    first = ask("flood", "m1", "+32470000001")
    ask("flood", "m2", "+32470000002")
    with pytest.raises(CallbackLimitReached) as per_conversation:
        ask("flood", "m3", "+32470000003")
    assert per_conversation.value.reason == "conversation"
    assert ask("flood", "m1", "+32470000001").id == first.id  # the same message: its request
    with db.transaction(engine) as conn:
        handoff.set_callback_status(conn, first.id, "done", "sophie")
    ask("flood", "m3", "+32470000003")  # one was closed: room for another
    ask("a", "m1", "+32470000009")
    ask("b", "m1", "+32470000009")
    with pytest.raises(CallbackLimitReached) as per_phone:
        ask("c", "m1", "+32470000009")
    assert per_phone.value.reason == "phone"


@pytest.mark.parametrize("lang", ["fr", "nl"])
async def test_the_callback_form_says_the_limit_in_the_candidates_language(
    tmp_path, lang: str
) -> None:
    from actions._base import Services
    from actions.handoff import ActionRequestCallback
    from bot.messages import text
    from bot.storage import migrate
    from tests.integration.test_handoff_actions import SATURDAY, SETTINGS, _completed, _run

    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    engine = db.make_engine(url)
    for n in range(2):  # two requests of this conversation still open
        with db.transaction(engine) as conn:
            handoff.request_callback(
                conn,
                sender_id="conv-5",
                message_id=f"earlier-{n}",
                language=lang,
                name="Marie Dupont",
                phone=f"+3247000000{n}",
                consent_at=SATURDAY,
                consent_version=handoff.CONSENT_TEXT_VERSION,
            )
    action = ActionRequestCallback(Services(SETTINGS, engine, clock=lambda: SATURDAY))
    messages, _events = await _run(action, _completed(language=lang))
    assert [m["text"] for m in messages] == [text(lang, "service.callback_limit").format(limit=2)]
    with db.reading(engine) as conn:
        assert len(handoff.list_callbacks(conn)) == 2
    engine.dispose()
