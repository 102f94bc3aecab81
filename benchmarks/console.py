"""Console conversation list latency with 100,000 conversations (SQLite).

``run()`` builds a temporary SQLite database with the project's tables and Rasa's
``events`` table, then:

1. writes realistic tracker events for ``EVENT_CONVERSATIONS`` conversations (greeting,
   questions, fallbacks, the language slot...) and times ``refresh_projection`` on them;
2. adds projection rows for the rest of the 100,000 conversations directly (seeded:
   languages, channels, dates over the retention period, intents, flags, search texts,
   tags and reviews), as a projection fed for months would hold them;
3. signs in through the real website app (aiohttp test server, the console's middlewares,
   handler, projection refresh and template included) and times ``REPEAT`` requests of each
   filtered list below, after one warm-up request each.

Target: p95 under 200 ms per list page. Figures are printed as JSON.

    .venv/bin/python -m benchmarks.console
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from bot.config import Settings
from bot.console import users
from bot.console.projection import refresh_projection
from bot.console.summary import LOCAL_TIME
from bot.storage import db, migrate, rasa_events
from bot.storage.console import (
    conversation_intents,
    conversation_reviews,
    conversation_tags,
    conversation_words,
    conversations,
)

CONVERSATIONS = 100_000
EVENT_CONVERSATIONS = 2_000
REPEAT = 25
TARGET_P95_MS = 200.0
SEED = 11
CHUNK = 5_000
PASSWORD = "benchmark-password"
TODAY = dt.date(2026, 12, 1)
INTENTS = (
    "greet goodbye thank affirm deny help out_of_scope ask_human search_vacancies "
    "list_info_sessions book_info_session inform faq/taxes faq/social_security faq/wages "
    "faq/commuting faq/health_insurance faq/unemployment_benefits faq/frontier_worker"
).split()
WORDS_FR = "je cherche emploi travail frontalier impôts belgique france salaire trajet".split()
WORDS_NL = "ik zoek werk grensarbeider belasting frankrijk loon pendelen vacature".split()
# A vocabulary of a few thousand words used with Zipf-like frequencies, as in real messages.
RARE = [f"mot{n}" for n in range(5000)]
RARE_WEIGHTS = [1 / (n + 1) for n in range(5000)]
QUERIES = {
    "all, page 1": {},
    "language nl": {"language": "nl"},
    "fallback": {"fallback": "yes"},
    "intent faq/taxes": {"intent": "faq/taxes"},
    "handoff, French, 30 days": {"handoff": "yes", "language": "fr", "from": "2026-11-01"},
    "last 7 days": {"from": "2026-11-24", "to": "2026-12-01"},
    "tag": {"tag": "suivi"},
    "not reviewed, booking": {"reviewed": "no", "booking": "yes"},
    "search a common word": {"q": "pendelen"},
    "search a less common word": {"q": "mot1234"},
    "search two words": {"q": "werk mot7"},
    "search a rare word": {"q": "zzyzx"},
    "all, page 40": {"page": "40"},
}


def _events(rng: random.Random, sender: str, start: float) -> list[dict[str, Any]]:
    from tests.console_factories import action, bot, greeting, slot, user

    language = "nl" if rng.random() < 0.45 else "fr"
    words = WORDS_NL if language == "nl" else WORDS_FR
    events = greeting("Dag" if language == "nl" else "Bonjour", language, ts=start)
    moment = start + 5
    for _turn in range(rng.randint(1, 6)):
        moment += rng.uniform(5, 60)
        text = " ".join(rng.choices(words, k=rng.randint(3, 9)))
        if rng.random() < 0.15:
            events += [
                user(text, "nlu_fallback", 0.3, language, ts=moment),
                action("action_two_stage_fallback", ts=moment + 0.1),
            ]
            continue
        intent = rng.choice(INTENTS)
        topic = intent.split("/")[1] if intent.startswith("faq/") else None
        events += [
            user(
                text,
                "faq" if topic else intent,
                rng.uniform(0.4, 1.0),
                language,
                ts=moment,
                faq=topic,
            ),
            slot("language", language, ts=moment + 0.1),
            action("action_answer_faq" if topic else f"utter_{intent}", ts=moment + 0.2),
            bot("...", ts=moment + 0.3),
            action("action_listen", ts=moment + 0.4),
        ]
    return events


def _write_events(engine: Any, rng: random.Random) -> int:
    from tests.console_factories import row

    rows = []
    for n in range(EVENT_CONVERSATIONS):
        start = time.time() - rng.uniform(0, 30) * 86400
        rows += [row(f"events-{n}", e) for e in _events(rng, f"events-{n}", start)]
    with db.transaction(engine) as conn:
        for start in range(0, len(rows), CHUNK):
            conn.execute(insert(rasa_events.events), rows[start : start + CHUNK])
    return len(rows)


def _fill_projection(engine: Any, rng: random.Random, count: int) -> None:
    """``count`` synthetic projection rows, spread over the retention period."""
    now = time.time()
    for start in range(0, count, CHUNK):
        batch, intents, texts, tags, reviews = [], [], [], [], []
        for n in range(start, min(start + CHUNK, count)):
            sender = f"bench-{n}"
            first = now - rng.uniform(0, 180) * 86400
            language = rng.choices(["fr", "nl", None], [55, 40, 5])[0]
            chosen = set(rng.sample(INTENTS, rng.randint(1, 4)))
            messages = rng.randint(1, 15)
            fallbacks = rng.choices([0, 1, 2], [85, 12, 3])[0]
            batch.append(
                {
                    "sender_id": sender,
                    "first_at": first,
                    "last_at": first + rng.uniform(10, 1800),
                    "first_day": dt.datetime.fromtimestamp(first, LOCAL_TIME).date(),
                    "language": language,
                    "channel": rng.choices(
                        ["socketio", "rest", "telegram", "facebook", "twilio"], [60, 5, 15, 10, 10]
                    )[0],
                    "events": messages * 5,
                    "user_messages": messages,
                    "bot_messages": messages,
                    "fallbacks": fallbacks,
                    "fallback": fallbacks > 0,
                    "handoff": "ask_human" in chosen,
                    "booking": "book_info_session" in chosen and rng.random() < 0.6,
                    "intents": " ".join(sorted(chosen)),
                    "state": "{}",
                }
            )
            intents += [{"sender_id": sender, "intent": i} for i in chosen]
            words = WORDS_NL if language == "nl" else WORDS_FR
            texts += [
                {"sender_id": sender, "word": w}
                for w in set(rng.choices(words, k=rng.randint(8, 30)))
            ]
            stamp = dt.datetime.now(dt.timezone.utc)
            if rng.random() < 0.02:
                tags.append(
                    {
                        "sender_id": sender,
                        "tag": "suivi",
                        "created_by": "bench",
                        "created_at": stamp,
                    }
                )
            if rng.random() < 0.1:
                reviews.append({"sender_id": sender, "reviewed_by": "bench", "reviewed_at": stamp})
        with db.transaction(engine) as conn:
            conn.execute(insert(conversations), batch)
            conn.execute(insert(conversation_intents), intents)
            conn.execute(insert(conversation_words), texts)
            if tags:
                conn.execute(insert(conversation_tags), tags)
            if reviews:
                conn.execute(insert(conversation_reviews), reviews)


def build(path: Path) -> dict[str, Any]:
    """The benchmark database in ``path``; figures about its making."""
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    engine = db.make_engine(url)
    rasa_events.create(engine)
    rng = random.Random(SEED)
    events = _write_events(engine, rng)
    started = time.perf_counter()
    applied = refresh_projection(engine)
    refresh_s = time.perf_counter() - started
    started = time.perf_counter()
    _fill_projection(engine, rng, CONVERSATIONS - EVENT_CONVERSATIONS)
    fill_s = time.perf_counter() - started
    with db.transaction(engine) as conn:
        conn.exec_driver_sql("ANALYZE")
        users.create_user(conn, "bench@example.org", PASSWORD, "consultant", "fr")
        projected = conn.execute(select(func.count()).select_from(conversations)).scalar_one()
    engine.dispose()
    return {
        "conversations": int(projected),
        "events": events,
        "refresh_events": applied,
        "refresh_s": round(refresh_s, 2),
        "refresh_events_per_s": round(applied / refresh_s) if refresh_s else None,
        "projection_rows_written_s": round(fill_s, 1),
    }


async def _measure(url: str, tmp: Path) -> dict[str, Any]:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.web.app import create_app
    from tests.integration.console_client import token

    settings = Settings(database_url=url, var_dir=tmp, rasa_port=5999, web_port=8999)
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    try:
        login = await client.get("/console/login")
        response = await client.post(
            "/console/login",
            data={
                "csrf_token": token(await login.text()),
                "email": "bench@example.org",
                "password": PASSWORD,
            },
            allow_redirects=False,
        )
        assert response.status == 303, response.status
        figures: dict[str, Any] = {}
        everything: list[float] = []
        for name, query in QUERIES.items():
            timings = []
            for attempt in range(REPEAT + 1):
                started = time.perf_counter()
                page = await client.get("/console/conversations", params=query)
                await page.read()
                assert page.status == 200, (name, page.status)
                if attempt:  # the first one warms the page cache up
                    timings.append((time.perf_counter() - started) * 1000)
            everything += timings
            figures[name] = _stats(timings)
        return {"requests": figures, **_stats(everything)}
    finally:
        await client.close()


def _stats(timings: list[float]) -> dict[str, float]:
    ordered = sorted(timings)
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        "max_ms": round(ordered[-1], 1),
    }


def run() -> dict[str, Any]:
    """Build the database, time the list; the figures (p50/p95 overall and per request)."""
    with tempfile.TemporaryDirectory(prefix="console-bench-") as folder:
        tmp = Path(folder)
        path = tmp / "console.db"
        made = build(path)
        measured = asyncio.run(_measure(f"sqlite:///{path}", tmp))
    return {
        **made,
        "repeat": REPEAT,
        "target_p95_ms": TARGET_P95_MS,
        **measured,
        "meets_target": measured["p95_ms"] < TARGET_P95_MS,
    }


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    print(json.dumps(run(), indent=2, ensure_ascii=False))
