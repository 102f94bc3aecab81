"""Production mode: ``python -m bot.production`` (``make run-prod``).

Starts, on one machine, Rasa's own scale-out architecture: ``BOT_RASA_PROCESSES`` Rasa
server processes on internal ports sharing the PostgreSQL tracker store, the Redis lock
store and the RabbitMQ event broker; the action server; the website; the event consumer
(``python -m bot.events``, which feeds the console from the broker); and HAProxy in front of
the Rasa processes on the public ``BOT_RASA_PORT`` (configuration generated into
``var/run/haproxy.cfg`` from ``deploy/haproxy.cfg.template``; ``make prod-deps`` installs
HAProxy). Settings come from the environment (``.env.example``; bot/ops/production_config.py).

Before anything starts, a preflight refuses to go on, with one line per problem, when
DATABASE_URL is not PostgreSQL, PostgreSQL, Redis or RabbitMQ cannot be reached, or HAProxy
is not installed; then the project's migrations run. A process that dies is started again
(a few times, then the whole service stops); Ctrl-C or SIGTERM stops everything.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any

import yaml

from bot import redis_keys
from bot.config import PROJECT_DIR
from bot.ops import cli
from bot.ops.production_config import AmqpAddress, ProductionSettings, RedisAddress
from bot.ops.tracker_store import tracker_store_config
from bot.training import activation

TEMPLATE = PROJECT_DIR / "deploy" / "haproxy.cfg.template"
LOGGING_CONFIG = PROJECT_DIR / "deploy" / "rasa-logging.yml"
PREFLIGHT_TIMEOUT_S = 3.0
# Where HAProxy is looked for besides the PATH (Debian installs it in /usr/sbin, which an
# ordinary user's PATH may lack).
SBIN_DIRS = ("/usr/local/sbin", "/usr/sbin")
HAPROXY_MISSING = "HAProxy is not installed: run `make prod-deps` (Debian's haproxy package)"
# A process that dies is restarted this many times within RESTART_WINDOW_S, then we give up.
MAX_RESTARTS = 5
RESTART_WINDOW_S = 600
# A restarted process runs at this niceness until it serves (nice(1): 0 normal, 19 lowest).
RESTART_NICENESS = 10
# Secrets are not written to var/run: the files name these variables (Rasa substitutes
# ${NAME} in endpoints.yml from its environment).
DB_PASSWORD_ENV = "BOT_SECRET_DB_PASSWORD"
REDIS_PASSWORD_ENV = "BOT_SECRET_REDIS_PASSWORD"
AMQP_PASSWORD_ENV = "BOT_SECRET_AMQP_PASSWORD"


def say(text: str) -> None:
    print(f"[production] {text}", flush=True)


# --- preflight -----------------------------------------------------------------------------


def check_postgresql(database_url: str) -> str | None:
    """``None`` when PostgreSQL answers ``SELECT 1``, else the problem in one line."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(
        database_url, connect_args={"connect_timeout": int(PREFLIGHT_TIMEOUT_S)}, future=True
    )
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        return f"PostgreSQL at {engine.url.host}:{engine.url.port or 5432} unreachable: {reason}"
    finally:
        engine.dispose()
    return None


def check_redis(url: str) -> str | None:
    """``None`` when Redis answers PING, else the problem in one line."""
    import redis

    address = RedisAddress.parse(url)
    client = redis.Redis.from_url(
        url, socket_timeout=PREFLIGHT_TIMEOUT_S, socket_connect_timeout=PREFLIGHT_TIMEOUT_S
    )
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        return f"Redis at {address.host}:{address.port} unreachable: {exc}"
    finally:
        client.close()
    return None


def check_rabbitmq(url: str) -> str | None:
    """``None`` when RabbitMQ accepts a connection, else the problem in one line."""
    import aio_pika

    address = AmqpAddress.parse(url)

    async def connect() -> None:
        connection = await aio_pika.connect(url, timeout=PREFLIGHT_TIMEOUT_S)
        await connection.close()

    try:
        asyncio.run(asyncio.wait_for(connect(), PREFLIGHT_TIMEOUT_S + 1))
    except Exception as exc:  # aio-pika raises many kinds; each one means "not reachable"
        reason = str(exc).strip() or type(exc).__name__
        return f"RabbitMQ at {address.host}:{address.port} unreachable: {reason}"
    return None


def find_haproxy(search_path: str | None = None) -> str | None:
    """The haproxy executable on ``search_path`` (the PATH and the sbin folders), or None."""
    if search_path is None:
        search_path = os.pathsep.join([os.environ.get("PATH", os.defpath), *SBIN_DIRS])
    return shutil.which("haproxy", path=search_path)


def check_haproxy(search_path: str | None = None) -> str | None:
    """``None`` when HAProxy is installed, else the problem in one line."""
    return None if find_haproxy(search_path) else HAPROXY_MISSING


def preflight(settings: ProductionSettings) -> list[str]:
    """Every problem that stops production mode from starting, one line each."""
    checks: list[Callable[[], str | None]] = [
        lambda: check_postgresql(settings.base.database_url),
        lambda: check_redis(settings.redis_url),
        lambda: check_rabbitmq(settings.rabbitmq_url),
        check_haproxy,
    ]
    return [problem for check in checks if (problem := check()) is not None]


# --- configuration files -------------------------------------------------------------------


def endpoints_config(settings: ProductionSettings) -> dict[str, Any]:
    """Rasa's endpoints: PostgreSQL tracker store, Redis lock store, RabbitMQ broker."""
    store = tracker_store_config(settings.base.database_url)
    if "password" in store:
        store["password"] = f"${{{DB_PASSWORD_ENV}}}"
    redis = RedisAddress.parse(settings.redis_url)
    lock_store: dict[str, Any] = {
        "type": "redis",
        "url": redis.host,
        "port": redis.port,
        "db": redis.db,
        "key_prefix": redis_keys.PREFIX,  # erasure deletes redis_keys.lock_key(sender)
    }
    if redis.password:
        lock_store["password"] = f"${{{REDIS_PASSWORD_ENV}}}"
    amqp = AmqpAddress.parse(settings.rabbitmq_url)
    vhost = "/" + amqp.vhost.replace("/", "%2F")
    return {
        "action_endpoint": cli.actions_endpoint(settings.base.actions_port),
        "tracker_store": store,
        "lock_store": lock_store,
        "event_broker": {
            "type": "pika",
            "url": f"amqp://{amqp.host}:{amqp.port}{vhost}",
            "port": amqp.port,
            "username": amqp.username,
            "password": f"${{{AMQP_PASSWORD_ENV}}}",
            "queues": [settings.events_queue],
            "exchange_name": settings.events_exchange,
            # Events published while RabbitMQ is away are kept and sent on reconnection.
            "should_keep_unpublished_messages": True,
            "connection_attempts": 3,
            "retry_delay_in_seconds": 2,
        },
    }


def secret_env(settings: ProductionSettings) -> dict[str, str]:
    """The secrets the generated files refer to, for the processes' environment only."""
    from sqlalchemy.engine import make_url

    env = {AMQP_PASSWORD_ENV: AmqpAddress.parse(settings.rabbitmq_url).password}
    db_password = make_url(settings.base.database_url).password
    if db_password:
        env[DB_PASSWORD_ENV] = str(db_password)
    redis_password = RedisAddress.parse(settings.redis_url).password
    if redis_password:
        env[REDIS_PASSWORD_ENV] = redis_password
    return env


def haproxy_config(settings: ProductionSettings, run_dir: Path) -> str:
    """The load balancer's configuration, from the template in deploy/."""
    names = [f"rasa{i + 1}" for i in range(settings.rasa_processes)]
    ports = settings.rasa_ports

    def lines(suffix: str) -> str:
        return "\n".join(
            f"    server {name} 127.0.0.1:{port} {suffix.format(name=name)}"
            for name, port in zip(names, ports, strict=True)
        )

    return Template(TEMPLATE.read_text()).substitute(
        run_dir=run_dir,
        bind=settings.lb_bind,
        public_port=settings.base.rasa_port,
        max_body=settings.base.max_request_bytes,
        check_interval_ms=settings.lb_check_interval_ms,
        server_maxconn=settings.lb_server_maxconn,
        rest_servers=lines("check"),
        socketio_servers=lines("track rasa_rest/{name}"),
        live_servers=lines(""),
        actions_port=settings.base.actions_port,
        actions_maxconn=settings.actions_maxconn,
        actions_servers="\n".join(
            f"    server actions{i} 127.0.0.1:{port} check"
            for i, port in enumerate(settings.actions_ports, 1)
        ),
    )


@dataclass(frozen=True)
class RunFiles:
    """What ``write_files`` wrote under var/run/."""

    endpoints: Path
    credentials: Path
    haproxy: Path
    logging: Path
    channels: list[str]


def _write_private(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o600)
    return path


def write_files(settings: ProductionSettings) -> RunFiles:
    """Write the endpoints, credentials, load balancer and logging files of this run."""
    run_dir = settings.base.var_dir / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    endpoints = _write_private(
        run_dir / "endpoints-production.yml",
        yaml.safe_dump(endpoints_config(settings), sort_keys=False),
    )
    credentials, channels = cli.write_channels(settings.base)
    haproxy = _write_private(run_dir / "haproxy.cfg", haproxy_config(settings, run_dir))
    logging_file = _write_private(run_dir / "logging.yml", LOGGING_CONFIG.read_text())
    return RunFiles(endpoints, credentials, haproxy, logging_file, channels)


# --- processes -----------------------------------------------------------------------------


@dataclass
class Service:
    """One supervised process: how to start it and the URL that answers once it is ready."""

    name: str
    command: list[str]
    ready_url: str
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)
    # Restarted at a lower CPU priority, not yet given its normal one back.
    niced: bool = False


def services(settings: ProductionSettings, model: Path, files: RunFiles) -> list[Service]:
    """Every process of production mode, in start order (the load balancer last).

    Raises:
        RuntimeError: HAProxy is not installed (the preflight says so first).
    """
    haproxy = find_haproxy()
    if haproxy is None:
        raise RuntimeError(HAPROXY_MISSING)
    base = settings.base
    common = {
        "BOT_MODE": "production",
        "BOT_LOG_FORMAT": "json",
        "BOT_REDIS_URL": settings.redis_url,
        "BOT_RABBITMQ_URL": settings.rabbitmq_url,
        "BOT_EVENTS_QUEUE": settings.events_queue,
        "BOT_EVENTS_EXCHANGE": settings.events_exchange,
        "DATABASE_URL": base.database_url,
        # Read by Rasa's SQL tracker store in each Rasa process.
        "SQL_POOL_SIZE": str(settings.sql_pool_size),
        "SQL_MAX_OVERFLOW": str(settings.sql_max_overflow),
        # Read by Rasa's lock store in each Rasa process.
        "TICKET_LOCK_LIFETIME": str(settings.lock_lifetime_s),
        **secret_env(settings),
    }
    found: list[Service] = [
        Service(
            name,
            [sys.executable, "-m", "bot.server.action_server", "--actions", "actions"]
            + ["--port", str(port), "--logging-config_file", str(files.logging)],
            f"http://127.0.0.1:{port}/health",
            {**common, "BOT_PROCESS_NAME": name},
        )
        for name, port in zip(_actions_names(settings), settings.actions_ports, strict=True)
    ]
    token_env = {"RASA_API_TOKEN": str(base.rasa_api_token)} if base.rasa_api_token else {}
    for index, port in enumerate(settings.rasa_ports, 1):
        command = [sys.executable, "-m", "bot.server", "run", "--model", str(model)]
        command += ["--port", str(port), "--endpoints", str(files.endpoints)]
        command += ["--credentials", str(files.credentials), "--cors", *base.site_origins]
        command += ["--interface", "127.0.0.1"]  # only HAProxy's port is public
        command += ["--logging-config-file", str(files.logging)]
        if base.rasa_api_token:
            # The HTTP API stays off without a token (CVE-2024-49375); the token goes
            # through the environment, not the command line (bot/server/__main__.py).
            command += ["--enable-api"]
        found.append(
            Service(
                f"rasa-{index}",
                command,
                f"http://127.0.0.1:{port}/webhooks/health/ready",
                {**common, "BOT_PROCESS_NAME": f"rasa-{index}", **token_env},
            )
        )
    found += [
        Service(
            "web",
            [sys.executable, "-m", "bot.web"],
            f"http://127.0.0.1:{base.web_port}/ready",
            {**common, "BOT_PROCESS_NAME": "web"},
        ),
        Service(
            "events",
            [sys.executable, "-m", "bot.events"],
            f"http://127.0.0.1:{settings.events_port}/health",
            {**common, "BOT_PROCESS_NAME": "events", "BOT_EVENTS_PORT": str(settings.events_port)},
        ),
        Service(
            "haproxy",
            [haproxy, "-W", "-db", "-f", str(files.haproxy)],
            f"http://127.0.0.1:{base.rasa_port}/webhooks/health/ready",
            {},
        ),
    ]
    return found


def _actions_names(settings: ProductionSettings) -> list[str]:
    if settings.actions_processes == 1:
        return ["actions"]
    return [f"actions-{i}" for i in range(1, settings.actions_processes + 1)]


def _start(service: Service, logs: Path, niceness: int = 0) -> None:
    service.process = cli.start_process(
        service.name,
        service.command,
        logs / f"{service.name}.log",
        env=service.env,
        niceness=niceness,
    )
    service.niced = niceness > 0


def write_pids(found: list[Service], run_dir: Path) -> None:
    """``var/run/processes.json``: the pid of each process, for operators and the tests."""
    pids = {s.name: s.process.pid for s in found if s.process is not None}
    # Written aside, then renamed: whoever reads it never sees a half-written file.
    part = run_dir / "processes.json.part"
    part.write_text(json.dumps(pids, indent=2))
    part.replace(run_dir / "processes.json")


def _processes(found: list[Service]) -> dict[str, subprocess.Popen[bytes]]:
    return {s.name: s.process for s in found if s.process is not None}


def _restart_dead(found: list[Service], logs: Path) -> str | None:
    """Start again every process that died; the name of one that died too often."""
    now = time.monotonic()
    for service in found:
        if service.process is None or service.process.poll() is None:
            continue
        service.restarts = [t for t in service.restarts if now - t < RESTART_WINDOW_S]
        if len(service.restarts) >= MAX_RESTARTS:
            return service.name
        say(f"{service.name} stopped (exit code {service.process.returncode}); starting it again")
        service.restarts.append(now)
        # Loading a model takes a Rasa process most of a core for tens of seconds: at a
        # normal priority it starved the processes still serving, whose readiness checks
        # then timed out and took them out of the load balancer too.
        _start(service, logs, niceness=RESTART_NICENESS)
        write_pids(found, logs.parent / "run")
    return None


def _renice_ready(found: list[Service]) -> None:
    """Give a restarted process its normal CPU priority back once it serves."""
    for service in found:
        if not service.niced or service.process is None or not cli.answers(service.ready_url):
            continue
        service.niced = False
        try:
            for thread in _threads_of_group(service.process.pid):
                # A nice value belongs to each thread on Linux: every thread of the group.
                os.setpriority(os.PRIO_PROCESS, thread, 0)
        except PermissionError:
            # Without CAP_SYS_NICE a process may not raise its own priority: it keeps
            # serving at the lower one, which only costs it a share of the CPU under load.
            say(f"{service.name} stays at a lower CPU priority (not allowed to raise it)")


def _threads_of_group(pgid: int) -> list[int]:
    """The thread ids of every process of one process group (a process and its children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) == pgid:
                found += [int(task.name) for task in (entry / "task").iterdir()]
        except (ProcessLookupError, FileNotFoundError):
            continue
    return found


def serve(settings: ProductionSettings) -> int:
    """Preflight, migrations, start every process, supervise until stopped."""
    problems = preflight(settings)
    if problems:
        for problem in problems:
            say(f"cannot start: {problem}")
        return 1
    model = cli.model_path(settings.base)
    if not model.exists():
        say(f"no trained model at {model}: run `make train` first")
        return 1
    from bot.ops import demo

    # Migrations always; demo data only when asked (BOT_DEMO_DATA, off by default here).
    demo.prepare(settings.base, say=say, demo=settings.base.demo_data)
    cli.private_dir(settings.base.var_dir)
    logs = settings.base.var_dir / "log"
    logs.mkdir(parents=True, exist_ok=True)
    found: list[Service] = []

    def stop_on_signal(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_signal)
    try:
        # Rasa's HTTP API on behind a token, as in the embedded default: the console takes
        # conversations over through it (RASA_API_TOKEN, else var/'s own token).
        settings = dataclasses.replace(settings, base=cli.ensure_api_token(settings.base))
        cli.ensure_actions_secret(settings.base)
        files = write_files(settings)
        found = services(settings, model, files)
        for service in found:
            _start(service, logs)
        write_pids(found, files.endpoints.parent)
        ports_file = activation.rasa_ports_file(settings.base)
        ports_file.write_text(json.dumps(settings.rasa_ports))
        cli.wait_until_ready(_processes(found), {s.name: s.ready_url for s in found})
        wait_lb_servers_up(files.haproxy.parent)
        _say_ready(settings, files)
        while True:
            time.sleep(1)
            gave_up = _restart_dead(found, logs)
            _renice_ready(found)
            if gave_up:
                say(f"{gave_up} keeps stopping: see {logs}; stopping everything")
                return 1
    except KeyboardInterrupt:
        say("stopping...")
        return 0
    except (RuntimeError, ValueError, subprocess.CalledProcessError) as exc:
        say(f"start-up failed: {exc}; see {logs}")
        return 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        cli.stop_processes(_processes(found))
        # Models activated from now on go to the embedded Rasa process, not to these.
        activation.rasa_ports_file(settings.base).unlink(missing_ok=True)
        say("stopped")


def lb_servers_up(run_dir: Path) -> dict[str, bool]:
    """Each Rasa server of the load balancer's REST backend: UP or not (stats socket)."""
    import socket

    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(2)
        sock.connect(str(run_dir / "haproxy.sock"))
        sock.sendall(b"show stat\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    rows = [line.split(",") for line in data.decode().splitlines() if line.startswith("rasa_rest,")]
    return {
        row[1]: row[17].startswith("UP") for row in rows if row[1] not in ("FRONTEND", "BACKEND")
    }


def wait_lb_servers_up(run_dir: Path, timeout_s: float = 60) -> None:
    """Wait until the load balancer sends traffic to every Rasa process.

    A process answers its readiness check before HAProxy has seen it answer twice
    (``rise 2``): without this wait the first requests would all go to the first process.
    """
    deadline = time.monotonic() + timeout_s
    while not all((state := lb_servers_up(run_dir)).values()):
        if time.monotonic() > deadline:
            down = [name for name, up in state.items() if not up]
            raise RuntimeError(f"the load balancer does not see {', '.join(down)} as up")
        time.sleep(0.5)


def _say_ready(settings: ProductionSettings, files: RunFiles) -> None:
    base = settings.base
    messaging = [name for name in files.channels if name not in ("rest", "health", "socketio")]
    say(
        f"ready: {settings.rasa_processes} Rasa processes behind HAProxy"
        f" · REST webhook http://127.0.0.1:{base.rasa_port}/webhooks/rest/webhook"
        f" · socket.io http://127.0.0.1:{base.rasa_port}/socket.io"
        f" · website http://127.0.0.1:{base.web_port}/"
        f" · events consumer http://127.0.0.1:{settings.events_port}/health"
        f" · channels: {', '.join(messaging) or 'none'} · Ctrl-C stops"
    )


def load_dotenv(path: Path, environ: dict[str, str] | None = None) -> list[str]:
    """Set the ``NAME=value`` lines of ``path`` that the environment does not set.

    Comments and blank lines are skipped; quotes around a value are removed. Returns the
    names that were set.
    """
    env = os.environ if environ is None else environ
    if not path.exists():
        return []
    loaded = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, value = (part.strip() for part in line.removeprefix("export ").split("=", 1))
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if name and name not in env:
            env[name] = value
            loaded.append(name)
    return loaded


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bot.production", description=__doc__)
    parser.add_argument("command", choices=["serve", "preflight", "config"], nargs="?")
    args = parser.parse_args(argv)
    load_dotenv(PROJECT_DIR / ".env")
    try:
        settings = ProductionSettings.from_env()
    except ValueError as exc:
        say(f"cannot start: {exc}")
        return 1
    if args.command == "preflight":
        problems = preflight(settings)
        for problem in problems:
            say(f"cannot start: {problem}")
        return 1 if problems else 0
    if args.command == "config":
        files = write_files(settings)
        say(f"wrote {files.endpoints}, {files.credentials}, {files.haproxy}, {files.logging}")
        return 0
    return serve(settings)
