"""Booking throughput under concurrency, on SQLite and PostgreSQL.

``run(database_url)`` books a large session from N threads at once (each thread its own
connection and transaction, distinct e-mails and message ids) and reports bookings per
second, then checks the 10-seat case of the product brief: 200 simultaneous attempts give
exactly 10 confirmed seats. ``benchmarks/run.py`` calls it for each database; it is also
runnable alone: ``python -m benchmarks.bookings sqlite:////tmp/bench.db``.

The harness, ``attempt_concurrently``, is the one the race tests use (with the real booking
and with a naive read-then-write version that must oversell).
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from bot import sessions
from bot.storage import db, migrate

THREADS = (1, 8, 32)
ATTEMPTS = 400
RACE_ATTEMPTS, RACE_SEATS = 200, 10
# PostgreSQL allows 100 connections by default, shared with everything else on the server.
POSTGRES_POOL = 24


@dataclass
class Outcome:
    """What the attempts returned, what they raised, and how long they all took."""

    results: list[Any] = field(default_factory=list)
    errors: list[Exception] = field(default_factory=list)
    seconds: float = 0.0


def attempt_concurrently(attempt: Callable[[int], Any], attempts: int, threads: int) -> Outcome:
    """Call ``attempt(n)`` for n in 0..attempts-1 from ``threads`` threads started together."""
    outcome = Outcome()
    lock = threading.Lock()
    numbers = iter(range(attempts))
    barrier = threading.Barrier(threads + 1)

    def worker() -> None:
        barrier.wait()
        while True:
            with lock:
                n = next(numbers, None)
            if n is None:
                return
            try:
                result = attempt(n)
            except Exception as error:  # collected for the caller, who asserts on them
                with lock:
                    outcome.errors.append(error)
            else:
                with lock:
                    outcome.results.append(result)

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in workers:
        thread.join()
    outcome.seconds = time.perf_counter() - started
    return outcome


def concurrent_engine(database_url: str) -> Engine:
    """An engine whose pool lets the threads run together (within PostgreSQL's limit)."""
    if database_url.startswith("postgresql"):
        return db.make_engine(
            database_url, pool_size=POSTGRES_POOL, max_overflow=0, pool_timeout=300
        )
    return db.make_engine(database_url)  # SQLite: one connection per checkout (NullPool)


def new_session(engine: Engine, capacity: int) -> int:
    """A bookable session with ``capacity`` seats, ten days ahead."""
    start = sessions.now_utc() + dt.timedelta(days=10)
    with db.transaction(engine) as conn:
        session = sessions.create_session(
            conn,
            title_fr="Séance de mesure",
            title_nl="Meetsessie",
            topic="taxes",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            venue="VDAB Kortrijk",
            place_id="be-kortrijk",
            language="fr+nl",
            capacity=capacity,
            actor="benchmark",
        )
    return session.id


def booker(engine: Engine, session_id: int, tag: str) -> Callable[[int], sessions.BookingResult]:
    """One booking attempt per call, each with its own connection, e-mail and message id."""

    def attempt(n: int) -> sessions.BookingResult:
        with db.transaction(engine) as conn:
            return sessions.book(
                conn,
                session_id,
                name="Candidat Mesure",
                email=f"mesure.{tag}.{n}@exemple.fr",
                language="fr",
                sender_id=f"bench-{tag}-{n}",
                message_id=f"message-{n}",
                actor="benchmark",
            )

    return attempt


def run(database_url: str) -> dict[str, Any]:
    """Bookings per second for each thread count, and the 200-on-10-seats check."""
    migrate.upgrade(database_url)
    engine = concurrent_engine(database_url)
    try:
        throughput = []
        for threads in THREADS:
            session_id = new_session(engine, capacity=ATTEMPTS)
            outcome = attempt_concurrently(
                booker(engine, session_id, f"t{threads}-{session_id}"), ATTEMPTS, threads
            )
            throughput.append(
                {
                    "threads": threads,
                    "bookings": len(outcome.results),
                    "errors": len(outcome.errors),
                    "seconds": round(outcome.seconds, 3),
                    "bookings_per_second": round(len(outcome.results) / outcome.seconds, 1),
                }
            )
        session_id = new_session(engine, capacity=RACE_SEATS)
        race = attempt_concurrently(
            booker(engine, session_id, f"race-{session_id}"), RACE_ATTEMPTS, RACE_ATTEMPTS
        )
        with db.transaction(engine) as conn:
            seats_taken = sessions.get_session(conn, session_id).seats_taken
        return {
            "database": engine.dialect.name,
            "attempts_per_run": ATTEMPTS,
            "throughput": throughput,
            "race": {
                "attempts": RACE_ATTEMPTS,
                "seats": RACE_SEATS,
                "confirmed": sum(r.booking.confirmed for r in race.results),
                "waitlisted": sum(r.booking.waitlisted for r in race.results),
                "errors": len(race.errors),
                "seats_taken": seats_taken,
                "seconds": round(race.seconds, 3),
            },
        }
    finally:
        engine.dispose()


if __name__ == "__main__":
    import json

    for url in sys.argv[1:] or ["sqlite:///var/bench-bookings.db"]:
        print(json.dumps(run(url), indent=2))
