"""Production mode for the tests and the benchmark: start it, talk to it, read what it stored.

``start_production`` runs ``python -m bot.production`` (what ``make run-prod`` runs) on free
loopback ports, against a PostgreSQL database of its own and a RabbitMQ queue of its own,
and waits for its ready line. ``Client`` holds REST conversations through the load balancer
and records every answer; ``Booker`` answers the booking form whatever it asks next.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

from bot.ops.cli import free_port
from tests.support.launcher import MANY_PEOPLE_ONE_ADDRESS

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
START_TIMEOUT_S = 420
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
PG_CLUSTER = ["pg_ctlcluster", "--skip-systemctl-redirect"]
REDIS_START = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" '
    "--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log"
)


# The REST webhook's secret in the production mode these tests start (BOT_REST_SECRET).
REST_SECRET = f"production-tests-{uuid.uuid4().hex}"
REST_HEADERS = {"Authorization": f"Bearer {REST_SECRET}"}


def postgres_version() -> str:
    return sorted(os.listdir("/etc/postgresql"))[-1]


def postgres_ready() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0


def ensure_postgres_running(timeout_s: float = 60) -> None:
    """Start PostgreSQL if it is down and wait until it accepts connections."""
    if not postgres_ready():
        subprocess.run([*PG_CLUSTER, postgres_version(), "main", "start"], check=False)
    deadline = time.monotonic() + timeout_s
    while not postgres_ready() and time.monotonic() < deadline:
        time.sleep(0.5)


def redis_ready() -> bool:
    return subprocess.run(["redis-cli", "ping"], capture_output=True, check=False).stdout == (
        b"PONG\n"
    )


def ensure_redis_running(timeout_s: float = 30) -> None:
    """Start Redis with the machine's command when it is down (python-svc.md)."""
    if not redis_ready():
        subprocess.run(REDIS_START, shell=True, check=False)
    deadline = time.monotonic() + timeout_s
    while not redis_ready() and time.monotonic() < deadline:
        time.sleep(0.3)


def rabbitmq_ready() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5672), timeout=1):
            pass
    except OSError:
        return False
    status = subprocess.run(
        ["rabbitmqctl", "-q", "await_startup", "--timeout", "5"], capture_output=True, check=False
    )
    return status.returncode == 0


def ensure_rabbitmq_running(timeout_s: float = 90) -> None:
    """Start RabbitMQ with the machine's command when it is down (python-svc.md)."""
    if not rabbitmq_ready():
        subprocess.run(["rabbitmq-server", "-detached"], check=False)
    deadline = time.monotonic() + timeout_s
    while not rabbitmq_ready() and time.monotonic() < deadline:
        time.sleep(1)


@contextmanager
def postgres_database(prefix: str = "crossborder_prod") -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards."""
    ensure_postgres_running()
    # No pool: a test may restart the server, which kills pooled connections.
    admin = create_engine(
        POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True, poolclass=NullPool
    )
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(make_url(POSTGRES_ADMIN_URL).set(database=name))
    finally:
        ensure_postgres_running()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def delete_queue(name: str) -> None:
    """Remove a test's queue and exchange (both durable: they would outlive the test)."""
    import aio_pika

    async def delete() -> None:
        connection = await aio_pika.connect(AMQP_URL, timeout=10)
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(name)
            await channel.exchange_delete(name)

    try:
        asyncio.run(delete())
    except Exception:  # RabbitMQ down at the end of a failed test: nothing to clean
        pass


def _free_block(size: int) -> int:
    """The first of ``size`` consecutive ports that are free now."""
    for _ in range(50):
        first = free_port()
        if first + size > 65000:
            continue
        if all(_is_free(first + i) for i in range(size)):
            return first
    raise RuntimeError("no block of free ports")


def _is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class Deployment:
    """A running production mode."""

    process: subprocess.Popen[str]
    database_url: str
    var_dir: Path
    rasa_port: int
    rasa_ports: list[int]
    events_port: int
    queue: str
    output: list[str] = field(default_factory=list)
    web_port: int = 0
    _engine: Engine | None = None

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook"

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_engine(self.database_url, future=True, pool_pre_ping=True)
        return self._engine

    def pids(self) -> dict[str, int]:
        return json.loads((self.var_dir / "run" / "processes.json").read_text())

    def log(self, name: str) -> str:
        path = self.var_dir / "log" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def user_texts(self, sender: str) -> list[str]:
        """The user messages of one conversation as Rasa stored them in PostgreSQL."""
        query = text(
            "SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query, {"s": sender}).all()
        return [json.loads(row.data).get("text") for row in rows]

    def events_count(self, sender: str) -> int:
        with self.engine.connect() as connection:
            query = text("SELECT count(*) FROM events WHERE sender_id = :s")
            return int(connection.execute(query, {"s": sender}).scalar_one())

    def consumed_count(self, sender: str) -> int:
        with self.engine.connect() as connection:
            query = text("SELECT count(*) FROM consumed_events WHERE sender_id = :s")
            return int(connection.execute(query, {"s": sender}).scalar_one())

    def consumer_health(self) -> dict[str, Any]:
        url = f"http://127.0.0.1:{self.events_port}/health"
        with urllib.request.urlopen(url, timeout=3) as response:
            return json.loads(response.read())

    def rasa_ready(self, port: int) -> bool:
        try:
            url = f"http://127.0.0.1:{port}/webhooks/health/ready"
            with urllib.request.urlopen(url, timeout=3) as response:
                return response.status == 200
        except OSError:
            return False

    def wait_all_ready(self, timeout_s: float = 240) -> None:
        deadline = time.monotonic() + timeout_s
        while not all(self.rasa_ready(port) for port in self.rasa_ports):
            if time.monotonic() > deadline:
                raise AssertionError("the Rasa processes did not all become ready")
            time.sleep(1)


def start_production(
    database_url: str, var_dir: Path, processes: int = 2, extra_env: Mapping[str, str] = ()
) -> Deployment:
    """``python -m bot.production`` on free ports, once it has printed its ready line."""
    public = set()
    while len(public) < 4:
        public.add(free_port())
    rasa_port, actions_port, web_port, events_port = sorted(public)
    first_internal = _free_block(processes)
    actions_internal = _free_block(1)
    while first_internal <= actions_internal < first_internal + processes:
        actions_internal = _free_block(1)
    queue = f"crossborder_test_{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "BOT_RASA_PROCESSES": str(processes),
        "BOT_RASA_PORT": str(rasa_port),
        "BOT_ACTIONS_PORT": str(actions_port),
        "BOT_WEB_PORT": str(web_port),
        "BOT_EVENTS_PORT": str(events_port),
        "BOT_RASA_INTERNAL_PORT": str(first_internal),
        "BOT_ACTIONS_INTERNAL_PORT": str(actions_internal),
        "BOT_VAR_DIR": str(var_dir),
        "BOT_EVENTS_QUEUE": queue,
        "BOT_EVENTS_EXCHANGE": queue,  # an exchange of its own: no other deployment's events
        "BOT_LB_BIND": "127.0.0.1",
        "BOT_DEMO_DATA": "0",
        # Production mode offers the REST webhook only behind a secret.
        "BOT_REST_SECRET": REST_SECRET,
        **MANY_PEOPLE_ONE_ADDRESS,
        **dict(extra_env),
    }
    env.pop("RASA_API_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.production"],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deployment = Deployment(
        process,
        database_url,
        var_dir,
        rasa_port,
        [first_internal + i for i in range(processes)],
        events_port,
        queue,
        web_port=web_port,
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    assert process.stdout is not None
    for line in process.stdout:
        deployment.output.append(line)
        if "ready:" in line or "stopped" in line or time.monotonic() > deadline:
            break
    if not any("ready:" in line for line in deployment.output):
        stop_production(deployment)
        raise RuntimeError("production mode did not start:\n" + "".join(deployment.output))
    return deployment


def stop_production(deployment: Deployment) -> None:
    """SIGTERM, as Ctrl-C would; everything must stop."""
    if deployment.process.poll() is None:
        deployment.process.send_signal(signal.SIGTERM)
        try:
            deployment.process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            deployment.process.kill()
    if deployment._engine is not None:
        deployment._engine.dispose()
    delete_queue(deployment.queue)


# --- conversations -------------------------------------------------------------------------


@dataclass
class Turn:
    """One message and what came back."""

    text: str
    status: int
    answers: list[dict[str, Any]]
    seconds: float
    # Why a request got no HTTP answer (status 0): the client's exception, for the reports.
    error: str = ""

    @property
    def answer_text(self) -> str:
        return "\n".join(str(a.get("text", "")) for a in self.answers)


async def say(
    session: aiohttp.ClientSession, url: str, sender: str, message: str, **extra: Any
) -> Turn:
    """POST one message to the REST webhook; a refused or broken request is status 0."""
    started = time.perf_counter()
    error = ""
    try:
        body = {"sender": sender, "message": message, **extra}
        async with session.post(url, json=body, headers=REST_HEADERS) as r:
            body = await r.text()
            status = r.status
        answers = json.loads(body) if status == 200 and body else []
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
        status, answers, error = 0, [], f"{type(exc).__name__}: {exc}"
    return Turn(
        message,
        status,
        answers if isinstance(answers, list) else [],
        0.0 + (time.perf_counter() - started),
        error,
    )


def _responses(name: str) -> dict[str, str]:
    """The fr and nl text of one response of domain/sessions.yml, before its placeholders."""
    domain = yaml.safe_load((ROOT / "domain" / "sessions.yml").read_text())
    found = {}
    for variation in domain["responses"][name]:
        language = variation["condition"][0]["value"]
        found[language] = variation["text"].split("{")[0].strip()[:40]
    return found


class Booker:
    """Answers the booking form, whatever it asks next, in one language."""

    QUESTIONS = (
        "utter_ask_session_id",
        "utter_ask_waitlist_consent",
        "utter_ask_candidate_name",
        "utter_ask_candidate_email",
        "utter_ask_candidate_phone",
        "utter_ask_booking_consent",
    )
    OUTCOMES = ("utter_booking_confirmed", "utter_booking_waitlisted", "utter_booking_existing")
    START = {
        "fr": "je voudrais m'inscrire à une séance d'information",
        "nl": "ik wil me inschrijven voor een infosessie",
    }
    YES = {"fr": "oui", "nl": "ja"}
    NO = {"fr": "non", "nl": "nee"}

    def __init__(self) -> None:
        self.texts = {name: _responses(name) for name in (*self.QUESTIONS, *self.OUTCOMES)}

    def recognise(self, answer: str, language: str) -> str | None:
        for name, texts in self.texts.items():
            if texts[language] and texts[language] in answer:
                return name
        return None

    # How people pick the n-th session of the list they are shown (issue 21: never its id).
    CHOICES = {
        "fr": ("{n}", "la {n}", "je prends la {n}", "numéro {n}"),
        "nl": ("{n}", "de {n}de", "nummer {n}", "doe maar {n}"),
    }

    def reply(
        self,
        question: str,
        language: str,
        session_id: int,
        who: int,
        sender: str,
        shown: list[dict[str, Any]] | None = None,
    ) -> str:
        return {
            "utter_ask_session_id": self.choose(shown or [], language, session_id, who),
            "utter_ask_waitlist_consent": self.YES[language],
            "utter_ask_candidate_name": full_name(language, who),
            # The same address on a repeated question: a doubled booking would show.
            "utter_ask_candidate_email": f"candidate{who}.{abs(hash(sender)) % 10**8}@example.org",
            "utter_ask_candidate_phone": self.NO[language],
            "utter_ask_booking_consent": self.YES[language],
        }[question]

    def choose(
        self, answers: list[dict[str, Any]], language: str, session_id: int, who: int
    ) -> str:
        """The place of the session in the list the question showed, typed as people do;
        its button when it is not among those shown (more sessions than the list holds)."""
        payloads = [str(b.get("payload", "")) for a in answers for b in a.get("buttons") or []]
        wanted = f'/inform{{"session_id": "{session_id}"}}'
        if wanted not in payloads:
            return wanted
        forms = self.CHOICES[language]
        return forms[who % len(forms)].format(n=payloads.index(wanted) + 1)

    async def book(
        self,
        session: aiohttp.ClientSession,
        url: str,
        sender: str,
        language: str,
        session_id: int,
        who: int,
        max_turns: int = 10,
    ) -> tuple[str | None, list[Turn]]:
        """Hold one booking conversation; the outcome response's name and the turns."""
        turns = [await self._say(session, url, sender, self.START[language])]
        for _ in range(max_turns):
            last = turns[-1]
            step = self.recognise(last.answer_text, language) if last.status == 200 else None
            if step in self.OUTCOMES:
                return step, turns
            if step is None:
                return None, turns
            answer = self.reply(step, language, session_id, who, sender, last.answers)
            turns.append(await self._say(session, url, sender, answer))
        return None, turns

    @staticmethod
    async def _say(session: aiohttp.ClientSession, url: str, sender: str, message: str) -> Turn:
        """Send again, as a person would, when the request itself failed."""
        for _attempt in range(20):
            turn = await say(session, url, sender, message)
            if turn.status == 200:
                break
            await asyncio.sleep(0.5)
        return turn


# Names as people have them, whatever the model makes of them: the booking form keeps a
# name that validates whatever the intent ("Léa Moreau" and "Thomas Fournier" read as
# goodbye or deny used to end it; issue 21), so nothing here is chosen to please the model.
NAMES = {
    "fr": ["Léa Moreau", "Thomas Fournier", "Julien Lefebvre", "Anaïs de la Fontaine",
           "Jean-Baptiste D'Hondt", "Chloé Blanc", "Mohamed El Amrani", "Sarah Leroy"],
    "nl": ["Lien Peeters", "Pieter Van den Broeck", "Els De Wilde", "Jens Vermeulen",
           "Fien Dewaele", "Bram Claes", "Yasmine Janssens", "Wout Maes"],
}  # fmt: skip


def full_name(language: str, number: int) -> str:
    """A plausible name for candidate ``number`` (the form refuses digits in a name)."""
    return NAMES[language][number % len(NAMES[language])]


def create_session(engine: Engine, capacity: int, language: str = "fr+nl") -> int:
    """An information session in two weeks, for the booking tests."""
    import datetime as dt

    from bot import sessions
    from bot.storage import db

    starts = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(days=14)
    with db.transaction(engine) as connection:
        created = sessions.create_session(
            connection,
            title_fr="Séance de test",
            title_nl="Testsessie",
            topic="job_dating",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            venue="Test",
            language=language,
            capacity=capacity,
        )
    return created.id


def haproxy_stats(deployment: Deployment) -> dict[str, dict[str, str]]:
    """``show stat`` of the load balancer: one row per ``backend/server``."""
    import csv
    import io

    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(deployment.var_dir / "run" / "haproxy.sock"))
        sock.sendall(b"show stat\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    rows = csv.DictReader(io.StringIO(data.decode().lstrip("# ")))
    return {f"{row['pxname']}/{row['svname']}": row for row in rows}


async def until(
    condition: Callable[[], bool],
    timeout_s: float = 60,
    explain: Callable[[], str] = lambda: "condition not met in time",
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        assert loop.time() < deadline, explain()
        await asyncio.sleep(0.5)


def event_flow(deployment: Deployment, senders: list[str]) -> str:
    """Where the events of ``senders`` are: tracker store, queue, consumer (for a failure)."""
    counts = {s: (deployment.events_count(s), deployment.consumed_count(s)) for s in senders}
    queues = subprocess.run(
        ["rabbitmqctl", "list_queues", "name", "messages", "consumers"],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    queue = [line for line in queues.splitlines() if line.startswith(deployment.queue)]
    try:
        health: object = deployment.consumer_health()
    except OSError as exc:
        health = exc
    broker_lines = [
        line
        for name in ("rasa-1", "rasa-2", "events")
        for line in deployment.log(name).splitlines()
        if "pika" in line.lower() or "rabbitmq" in line.lower()
    ]
    return (
        f"(stored, consumed) per sender: {counts}\nqueue (messages, consumers): {queue}\n"
        f"consumer: {health}\nbroker log lines:\n" + "\n".join(broker_lines[-40:])
    )


async def until_consumed(deployment: Deployment, senders: list[str], timeout_s: float = 60) -> None:
    """Until the consumer has written every stored event of ``senders`` (or says where)."""
    await until(
        lambda: all(deployment.consumed_count(s) == deployment.events_count(s) for s in senders),
        timeout_s,
        explain=lambda: event_flow(deployment, senders),
    )
