"""From a candidate's message to its appearance in an open console, with 50 consoles connected.

``run()`` starts the website (``python -m bot.web``, its own process, as the launcher starts
it) on a temporary SQLite database, signs in ``CONSOLES`` consultants (one HTTP session
each) and opens one live stream (``/console/live``) per console, as each tab's
console-live.js does. Then, ``ROUNDS`` times, a candidate's message is written into Rasa's
``events`` table the way Rasa's SQL tracker store writes it, and it times:

- **event**: until the last of the consoles has received the ``message`` event;
- **shown**: until the console that has the conversation open has fetched its transcript
  again (what console-live.js does on that event) and the page holds the message.

Target: both under 1 s. Figures are printed as JSON.

    .venv/bin/python -m benchmarks.console_live
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from bot.console import users
from bot.console.projection import refresh_projection
from bot.ops.cli import PROJECT_DIR, free_port
from bot.storage import db, migrate, rasa_events
from tests.console_factories import store_events, user

CONSOLES = 50
ROUNDS = 20
TARGET_MS = 1000.0
SENDER = "bench-live-candidate"
PASSWORD = "benchmark-live-password"
# console-live.js gathers the changes of this long into one fetch of the page.
RELOAD_DELAY_S = 0.1
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _prepare(url: str) -> None:
    migrate.upgrade(url)
    engine = db.make_engine(url)
    rasa_events.create(engine)
    with db.transaction(engine) as conn:
        store_events(conn, SENDER, [user("bonjour", "greet", 0.95, "fr")])
        for number in range(CONSOLES):
            users.create_user(conn, f"consultant{number}@example.org", PASSWORD)
    refresh_projection(engine)
    engine.dispose()


def _write(url: str, words: str) -> float:
    """The candidate's message, as Rasa's tracker store saves it; when it was committed."""
    engine = db.make_engine(url)
    try:
        with db.transaction(engine) as conn:
            store_events(conn, SENDER, [user(words, "greet", 0.95, "fr", ts=time.time())])
        return time.perf_counter()
    finally:
        engine.dispose()


def _start(tmp: Path, url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "BOT_WEB_PORT": str(port),
        "BOT_WEB_HOST": "127.0.0.1",
        "BOT_VAR_DIR": str(tmp),
        "BOT_MODE": "embedded",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot.web"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def _ready(base: str) -> None:
    deadline = time.monotonic() + 60
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(f"{base}/ready") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("the website did not start")


async def _sign_in(session: aiohttp.ClientSession, base: str, email: str) -> None:
    async with session.get(f"{base}/console/login") as response:
        token = CSRF.search(await response.text())
    assert token is not None
    form = {"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
    async with session.post(f"{base}/console/login", data=form) as response:
        assert response.status == 200 and "/console/conversations" in str(response.url)


class Console:
    """One signed-in tab: its stream, and when each round's message event arrived."""

    def __init__(self, session: aiohttp.ClientSession, base: str, opened: bool) -> None:
        self.session, self.base, self.opened = session, base, opened
        self.arrived: dict[int, float] = {}
        self.shown: dict[int, float] = {}
        self.round = -1
        self.connected = asyncio.Event()

    async def follow(self) -> None:
        async with self.session.get(
            f"{self.base}/console/live", timeout=aiohttp.ClientTimeout(total=None)
        ) as response:
            self.connected.set()
            kind = ""
            async for raw in response.content:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and kind == "message":
                    data = json.loads(line[6:])
                    if data.get("author") == "candidate" and self.round not in self.arrived:
                        self.arrived[self.round] = time.perf_counter()
                        if self.opened:
                            asyncio.create_task(self._show(self.round, data["conversation"]))

    async def _show(self, round_: int, number: int) -> None:
        """What console-live.js does with the open transcript: fetch it, find the message."""
        await asyncio.sleep(RELOAD_DELAY_S)
        async with self.session.get(f"{self.base}/console/conversations/{number}") as response:
            page = await response.text()
        if f"round {round_} " in page:
            self.shown[round_] = time.perf_counter()


def _figures(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


async def _measure(url: str, base: str) -> dict[str, Any]:
    # unsafe: the cookie jar keeps cookies of an IP address (127.0.0.1) only so.
    sessions = [
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) for _ in range(CONSOLES)
    ]
    try:
        for number, session in enumerate(sessions):
            await _sign_in(session, base, f"consultant{number}@example.org")
        consoles = [Console(s, base, opened=i == 0) for i, s in enumerate(sessions)]
        streams = [asyncio.create_task(c.follow()) for c in consoles]
        await asyncio.gather(*(c.connected.wait() for c in consoles))
        await asyncio.sleep(1.0)
        rng = random.Random(5)
        event_s, shown_s = [], []
        for round_ in range(ROUNDS):
            for c in consoles:
                c.round = round_
            written = await asyncio.to_thread(_write, url, f"round {round_} du candidat")
            deadline = time.perf_counter() + 10
            while time.perf_counter() < deadline and not (
                all(round_ in c.arrived for c in consoles) and round_ in consoles[0].shown
            ):
                await asyncio.sleep(0.005)
            event_s.append(max(c.arrived.get(round_, deadline) for c in consoles) - written)
            shown_s.append(consoles[0].shown.get(round_, deadline) - written)
            await asyncio.sleep(0.4 + rng.random() * 0.5)  # not in step with the hub's polling
        for stream in streams:
            stream.cancel()
        return {
            "consoles": CONSOLES,
            "rounds": ROUNDS,
            "event": _figures(event_s),
            "shown": _figures(shown_s),
            "target_ms": TARGET_MS,
        }
    finally:
        for session in sessions:
            await session.close()


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        url = f"sqlite:///{tmp / 'rasa.db'}"
        _prepare(url)
        port = free_port()
        server = _start(tmp, url, port)
        try:
            base = f"http://127.0.0.1:{port}"

            async def measure() -> dict[str, Any]:
                await _ready(base)
                return await _measure(url, base)

            return asyncio.run(measure())
        finally:
            server.terminate()
            server.wait(timeout=30)


def report(figures: dict[str, Any]) -> list[str]:
    event, shown = figures["event"], figures["shown"]
    return [
        "## Console live updates",
        "",
        f"{figures['consoles']} consoles signed in, each with its live stream open"
        " (`/console/live`, server-sent events, one database reader for all), the website in"
        " its own process on SQLite; a candidate's message written into Rasa's `events` table"
        f" as its tracker store does, {figures['rounds']} times:",
        "",
        "| from the message's commit to | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|",
        f"| its event on the last of the {figures['consoles']} streams | {event['p50_ms']} |"
        f" {event['p95_ms']} | {event['max_ms']} |",
        f"| the message in the transcript a console has open (event, then the page's fetch) |"
        f" {shown['p50_ms']} | {shown['p95_ms']} | {shown['max_ms']} |",
        "",
        f"Target: under {figures['target_ms']:.0f} ms. The hub reads every 250 ms"
        " (`bot.web.console.live.POLL_S`), which bounds the wait before a change is seen.",
        "",
    ]


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
