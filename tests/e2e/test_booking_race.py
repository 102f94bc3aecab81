"""A booking race through the chat (issue 21's measure, at the size of one machine): people
fill the whole booking form as people do, typing the place of the session in the list they
are shown, all at once for a few seats; every one of them is told "confirmed" or "waiting
list", and the seats are never exceeded. tests/production holds the 200-for-10 race against
production mode with the same booker."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import aiohttp
import pytest
from sqlalchemy import text

from bot import sessions
from bot.storage import db
from tests.e2e.conftest import Assistant
from tests.support.production import Booker

pytestmark = pytest.mark.e2e

PEOPLE, SEATS, AT_ONCE = 24, 4, 8


async def test_a_race_for_a_few_seats_tells_everyone_confirmed_or_waiting_list(
    assistant: Assistant,
) -> None:
    engine = db.engine_for(f"sqlite:///{assistant.var_dir / 'rasa.db'}")
    # Sooner than the demo sessions' first weeks' ones would not be bookable; first in the
    # list or not, the booker types its place when it is shown.
    starts = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(days=8)
    with db.transaction(engine) as conn:
        session = sessions.create_session(
            conn, title_fr="Course aux places", title_nl="Race om de plaatsen",
            topic="job_dating", starts_at=starts, ends_at=starts + dt.timedelta(hours=2),
            venue="Test", place_id="be-kortrijk", language="fr+nl", capacity=SEATS,
        )  # fmt: skip
    booker = Booker()
    url = f"{assistant.rasa_url}/webhooks/rest/webhook"
    limit = asyncio.Semaphore(AT_ONCE)

    async def one(client: aiohttp.ClientSession, who: int):  # type: ignore[no-untyped-def]
        async with limit:
            sender = f"race-{who}-{uuid.uuid4().hex[:8]}"
            language = ("fr", "nl")[who % 2]
            return await booker.book(client, url, sender, language, session.id, who)

    timeout = aiohttp.ClientTimeout(total=600)
    async with aiohttp.ClientSession(timeout=timeout) as client:
        outcomes = await asyncio.gather(*(one(client, who) for who in range(PEOPLE)))
    told = [name for name, _turns in outcomes]
    lost = [turns[-1].answer_text[:160] for name, turns in outcomes if name is None]
    assert not lost, lost[:3]
    assert told.count("utter_booking_confirmed") == SEATS
    assert told.count("utter_booking_waitlisted") == PEOPLE - SEATS
    # Everyone typed the place of the session in the list, nobody clicked its button.
    clicked = [t.text for _name, turns in outcomes for t in turns if t.text.startswith("/")]
    assert clicked == []
    with engine.connect() as connection:
        taken = connection.execute(
            text("SELECT seats_taken, capacity FROM info_sessions WHERE id = :id"),
            {"id": session.id},
        ).one()
    assert (taken.seats_taken, taken.capacity) == (SEATS, SEATS)
    engine.dispose()
