"""Production mode under load and faults, on the machine's real PostgreSQL, Redis, RabbitMQ.

Order matters (pytest keeps file order): the tests that need every Rasa process come first,
the one that kills a Rasa process comes last. Each test that stops a service starts it again
in a ``finally`` block, and the autouse fixture of conftest.py checks all three once more.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
import uuid

import aiohttp
import pytest
from sqlalchemy import text

from benchmarks import prod_faults
from bot.messages import text as catalog
from tests.support.production import (
    PG_CLUSTER,
    Booker,
    Deployment,
    Turn,
    create_session,
    ensure_postgres_running,
    ensure_rabbitmq_running,
    ensure_redis_running,
    postgres_version,
    say,
    until,
    until_consumed,
)

pytestmark = pytest.mark.production

TRY_AGAIN = {lang: catalog(lang, "service.try_again") for lang in ("fr", "nl")}
SCRIPTS = {
    "fr": ["Bonjour", "je cherche un travail de soudeur près de Courtrai", "merci", "au revoir"],
    "nl": ["goeiedag", "ik zoek werk als lasser in Kortrijk", "bedankt", "tot ziens"],
}


def _client() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=90))


async def _conversation(
    session: aiohttp.ClientSession,
    deployment: Deployment,
    sender: str,
    language: str,
    messages: list[str],
    pause_s: float = 0.3,
    retry: bool = True,
) -> list[Turn]:
    """Send ``messages`` in order; a failed request is sent again once the service answers."""
    turns = []
    for message in messages:
        for _attempt in range(20):
            turn = await say(session, deployment.webhook, sender, message)
            turns.append(turn)
            if turn.status == 200 or not retry:
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(pause_s)
    return turns


def _is_subsequence(sent: list[str], stored: list[str]) -> bool:
    remaining = iter(stored)
    return all(any(text == s for s in remaining) for text in sent)


# --- bookings ------------------------------------------------------------------------------


async def test_200_concurrent_bookings_of_10_seats_confirm_exactly_10(
    deployment: Deployment,
) -> None:
    session_id = create_session(deployment.engine, capacity=10)
    booker = Booker()
    connector = aiohttp.TCPConnector(limit=200)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=300)
    ) as client:
        outcomes = await asyncio.gather(
            *(
                booker.book(
                    client,
                    deployment.webhook,
                    f"race-{i}-{uuid.uuid4().hex}",
                    ("fr", "nl")[i % 2],
                    session_id,
                    i,
                )
                for i in range(200)
            )
        )
    names = [name for name, _turns in outcomes]
    failed = [turns[-1].answer_text[:120] for name, turns in outcomes if name is None]
    assert not failed, failed[:5]
    assert names.count("utter_booking_confirmed") == 10
    assert names.count("utter_booking_waitlisted") == 190
    with deployment.engine.connect() as connection:
        seats = connection.execute(
            text("SELECT seats_taken, capacity FROM info_sessions WHERE id = :id"),
            {"id": session_id},
        ).one()
        statuses = dict(
            connection.execute(
                text(
                    "SELECT status, count(*) FROM session_bookings WHERE session_id = :id"
                    " GROUP BY status"
                ),
                {"id": session_id},
            ).all()
        )
    assert (seats.seats_taken, seats.capacity) == (10, 10)
    assert statuses.get("confirmed") == 10 and sum(statuses.values()) == 200, statuses


# --- PostgreSQL ----------------------------------------------------------------------------


async def test_postgres_outage_gets_polite_answers_and_the_service_recovers(
    deployment: Deployment,
) -> None:
    senders = {f"pg-{lang}-{i}-{uuid.uuid4().hex}": lang for i in range(6) for lang in SCRIPTS}
    polite: dict[str, list[str]] = {}
    stop = asyncio.Event()

    async def keep_talking(client: aiohttp.ClientSession, sender: str, language: str) -> None:
        while not stop.is_set():
            turn = await say(client, deployment.webhook, sender, SCRIPTS[language][1])
            if turn.status == 200 and any(t in turn.answer_text for t in TRY_AGAIN.values()):
                polite.setdefault(sender, []).append(turn.answer_text)
            await asyncio.sleep(0.4)

    cluster = [*PG_CLUSTER, postgres_version(), "main"]
    async with _client() as client:
        talkers = [
            asyncio.ensure_future(keep_talking(client, s, lang)) for s, lang in senders.items()
        ]
        try:
            await asyncio.sleep(2)
            # A restart with a known outage in the middle, so that users do write meanwhile.
            subprocess.run([*cluster, "stop", "-m", "fast"], check=True, timeout=60)
            await asyncio.sleep(4)
        finally:
            subprocess.run([*cluster, "start"], check=False, timeout=60)
            ensure_postgres_running()
        restarted = time.monotonic()
        # Recovery by itself: a new conversation is answered normally within seconds.
        while True:
            turn = await say(client, deployment.webhook, f"pg-after-{uuid.uuid4().hex}", "Bonjour")
            if turn.status == 200 and not any(t in turn.answer_text for t in TRY_AGAIN.values()):
                break
            assert time.monotonic() - restarted < 30, turn.answer_text
            await asyncio.sleep(0.5)
        recovery_s = time.monotonic() - restarted
        stop.set()
        await asyncio.gather(*talkers)
    assert polite, "no message reached the outage"
    for sender, answers in polite.items():
        assert all(TRY_AGAIN[senders[sender]] in answer for answer in answers), sender
    assert recovery_s < 30
    # The readiness checks saw it too, and every process is back.
    deployment.wait_all_ready(timeout_s=30)
    assert "no fallback to memory" in deployment.log("rasa-1") + deployment.log("rasa-2")
    # A plain restart (the operator's command): served again within seconds, by itself.
    try:
        subprocess.run([*cluster, "restart"], check=True, timeout=120)
    finally:
        ensure_postgres_running()
    async with _client() as client:
        restarted = time.monotonic()
        while True:
            turn = await say(client, deployment.webhook, f"pg-rs-{uuid.uuid4().hex}", "goeiedag")
            if turn.status == 200 and TRY_AGAIN["nl"] not in turn.answer_text and turn.answers:
                break
            assert time.monotonic() - restarted < 30, turn.answer_text
            await asyncio.sleep(0.5)


# --- Redis -----------------------------------------------------------------------------------


async def test_redis_outage_fails_messages_politely_with_a_log_line(
    deployment: Deployment,
) -> None:
    async with _client() as client:
        try:
            subprocess.run(["redis-cli", "shutdown", "nosave"], check=False, timeout=30)
            turns = [
                await say(client, deployment.webhook, f"redis-{lang}-{uuid.uuid4().hex}", msg)
                for lang, msg in (("fr", SCRIPTS["fr"][1]), ("nl", SCRIPTS["nl"][1]))
            ]
        finally:
            ensure_redis_running()
        assert [t.status for t in turns] == [200, 200]
        assert TRY_AGAIN["fr"] in turns[0].answer_text
        assert TRY_AGAIN["nl"] in turns[1].answer_text
        after = await say(client, deployment.webhook, f"redis-after-{uuid.uuid4().hex}", "Bonjour")
    assert after.status == 200 and TRY_AGAIN["fr"] not in after.answer_text
    logs = deployment.log("rasa-1") + deployment.log("rasa-2")
    assert "the user is asked to try again (LockError" in logs


# --- RabbitMQ --------------------------------------------------------------------------------


async def test_broker_outage_does_not_stop_conversations_and_the_consumer_catches_up(
    deployment: Deployment,
) -> None:
    senders = [f"mq-{i}-{uuid.uuid4().hex}" for i in range(4)]
    async with _client() as client:
        try:
            subprocess.run(["rabbitmqctl", "stop_app"], check=True, timeout=120)
            turns = await asyncio.gather(
                *(
                    _conversation(client, deployment, s, "fr", SCRIPTS["fr"][:2], retry=False)
                    for s in senders
                )
            )
        finally:
            subprocess.run(["rabbitmqctl", "start_app"], check=False, timeout=120)
            ensure_rabbitmq_running()
    assert all(t.status == 200 and t.answers for conv in turns for t in conv)
    assert all(TRY_AGAIN["fr"] not in t.answer_text for conv in turns for t in conv)
    for sender in senders:
        assert deployment.user_texts(sender) == SCRIPTS["fr"][:2]
    # Rasa kept the events it could not publish and sends them on reconnection; the
    # consumer reconnects by itself and writes them, once.
    await until_consumed(deployment, senders, timeout_s=90)


# --- event consumer --------------------------------------------------------------------------


async def test_consumer_stopped_and_restarted_catches_up_without_duplicates(
    deployment: Deployment,
) -> None:
    os.kill(deployment.pids()["events"], signal.SIGKILL)
    senders = [f"consumer-{i}-{uuid.uuid4().hex}" for i in range(4)]
    async with _client() as client:
        await asyncio.gather(
            *(_conversation(client, deployment, s, "nl", SCRIPTS["nl"][:2]) for s in senders)
        )
    # The launcher starts it again; it finds the events waiting in its durable queue.
    await until(lambda: _answers(deployment), timeout_s=60)
    await until_consumed(deployment, senders)
    health = deployment.consumer_health()
    assert health["connected"] is True


def _answers(deployment: Deployment) -> bool:
    try:
        return bool(deployment.consumer_health()["connected"])
    except OSError:
        return False


# --- a Rasa process killed -------------------------------------------------------------------


# Issue 27 asks for at most 1 in 100 (3 of 320). Before the fixes: 61 of 320; before the
# chained lock lifetimes of bot/server/redis_lock.py, up to 6 of 320 here; before
# `option http-buffer-request`, up to 4 (requests held by the killed process not sent
# again); since, 0 in eight runs (docs/deployment.md).
MAX_FAILED_SHARE = 0.01


async def test_killing_a_rasa_process_fails_few_first_sendings(
    deployment: Deployment,
) -> None:
    """40 people chatting at a human pace, each message sent once, as a person sends it."""
    await asyncio.to_thread(deployment.wait_all_ready)
    run = await prod_faults.run_fault(deployment, "rasa-1")
    assert len(run.sent) == prod_faults.CANDIDATES * len(prod_faults.SCRIPTS["fr"])
    failed = [(s.at_s, s.turn.text, s.turn.status, s.turn.error) for s in run.failures]
    assert len(failed) <= len(run.sent) * MAX_FAILED_SHARE, (run.killed_at_s, failed)
    # Every message answered is stored, and none twice (each script's messages differ).
    for sender in run.senders:
        answered = [s.turn.text for s in run.sent if s.sender == sender and s.turn.status == 200]
        stored = deployment.user_texts(sender)
        assert _is_subsequence(answered, stored), (sender, answered, stored)
        assert len(stored) == len(set(stored)), (sender, stored)
    assert run.back_after_s is not None, "the killed process did not come back"
    await asyncio.to_thread(deployment.wait_all_ready)


async def test_killing_a_rasa_process_loses_no_event_and_no_booking(
    deployment: Deployment,
) -> None:
    session_id = create_session(deployment.engine, capacity=100)
    booker = Booker()
    senders = {f"kill-{lang}-{i}-{uuid.uuid4().hex}": lang for i in range(5) for lang in SCRIPTS}

    killed = deployment.pids()["rasa-1"]

    async def kill_soon() -> None:
        await asyncio.sleep(2.5)
        os.killpg(killed, signal.SIGKILL)

    async with _client() as client:
        results = await asyncio.gather(
            *(
                _conversation(client, deployment, s, lang, SCRIPTS[lang] * 2, pause_s=0.5)
                for s, lang in senders.items()
            ),
            *(
                booker.book(client, deployment.webhook, f"kill-book-{i}", "fr", session_id, i)
                for i in range(6)
            ),
            kill_soon(),
        )
    conversations = results[: len(senders)]
    bookings = results[len(senders) : len(senders) + 6]
    for (sender, _lang), turns in zip(senders.items(), conversations, strict=True):
        answered = [t.text for t in turns if t.status == 200]
        stored = deployment.user_texts(sender)
        assert _is_subsequence(answered, stored), (sender, answered, stored)
        assert len(answered) == len(SCRIPTS["fr"]) * 2  # every message got through in the end
    confirmed = [turns for name, turns in bookings if name == "utter_booking_confirmed"]
    with deployment.engine.connect() as connection:
        booked = connection.execute(
            text(
                "SELECT email, count(*) FROM session_bookings WHERE session_id = :id GROUP BY email"
            ),
            {"id": session_id},
        ).all()
    assert all(count == 1 for _email, count in booked)  # never doubled
    assert len(booked) >= len(confirmed)  # every confirmation has its booking
    # The launcher has started the killed process again (HAProxy takes it back once it is
    # ready, a minute later on two cores: not waited for, to keep the suite short).
    assert deployment.pids()["rasa-1"] != killed
