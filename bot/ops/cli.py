"""Command line: ``python -m bot.cli train|run|serve|config``.

``run`` is what ``make run`` calls: train when the data or configuration changed, then
start the action server, the Rasa server and the website, wait until all three answer,
print one line saying the assistant is ready, and stop them cleanly on Ctrl-C or SIGTERM.

Rasa's HTTP API is always on behind a token, so that the console can take conversations
over: ``RASA_API_TOKEN`` when set, else a random token generated once and kept in
``var/rasa_api_token`` (readable by its owner only), passed on to the three servers.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.exc import SQLAlchemyError

from bot.channels.config import write_credentials
from bot.config import ACTIONS_SECRET_ENV as SECRET_ENV
from bot.config import ACTIONS_SECRET_HEADER as SECRET_HEADER
from bot.config import PROJECT_DIR, Secret, Settings
from bot.console import commands as console
from bot.ops import demo
from bot.ops.tracker_store import tracker_store_config
from bot.training.activation import MODEL_NAME
from bot.training.activation import model_path as model_path  # the shell and benchmarks

# What the trained model depends on: a change in any of these retrains it. Rasa's training
# cache knows the first three; the code and word lists of the project's own NLU components it
# does not, so a change there retrains without the cache (``rasa train --force``).
RASA_INPUTS = ("config.yml", "domain", "data")
CODE_INPUTS = (
    "bot/nlu",
    "bot/language",
    "bot/text.py",
    "bot/references.py",
    "bot/vacancies/contract_types.py",
    "bot/gazetteer",
    "bot/resources",
)
TRAINING_INPUTS = (*RASA_INPUTS, *CODE_INPUTS)
# Under the inputs above, but not read by the model: demo data for the database, the texts
# of the catalogs, and the knowledge files (the model only sees domain/faq_responses.yml,
# generated from them, which is a training input of its own).
NOT_TRAINING_INPUTS = (
    "bot/resources/demo",
    "bot/resources/fr.yml",
    "bot/resources/nl.yml",
    "bot/resources/knowledge",
)
READY_TIMEOUT_S = 240
API_TOKEN_FILE = "rasa_api_token"
ACTIONS_SECRET_FILE = "actions_secret"


def private_dir(path: Path) -> Path:
    """``path`` (var/: databases, logs, secrets) created if needed, owner-only (0700)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def _say(text: str) -> None:
    print(f"[assistant] {text}", flush=True)


def _files(paths: Iterable[str]) -> list[Path]:
    found: list[Path] = []
    for name in paths:
        path = PROJECT_DIR / name
        found.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    skipped = [PROJECT_DIR / name for name in NOT_TRAINING_INPUTS]
    return [
        p
        for p in found
        if "__pycache__" not in p.parts and not any(p.is_relative_to(s) for s in skipped)
    ]


def training_fingerprint(inputs: Iterable[str] = TRAINING_INPUTS) -> str:
    """A hash of every file the model is trained from (names and contents)."""
    digest = hashlib.sha256()
    for path in _files(inputs):
        digest.update(str(path.relative_to(PROJECT_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def free_port() -> int:
    """A TCP port free on the loopback interface now, for a second instance beside the first."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rasa(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("rasa")), *args]


def rasa_train(out_dir: Path, name: str, force: bool = False) -> Path:
    """``rasa train`` on the repository's data into ``out_dir/name.tar.gz``."""
    subprocess.run(
        _rasa(
            "train",
            "--config",
            "config.yml",
            "--domain",
            "domain",
            "--data",
            "data",
            "--out",
            str(out_dir),
            "--fixed-model-name",
            name,
            *(["--force"] if force else []),
        ),
        cwd=PROJECT_DIR,
        check=True,
        env=_child_env(),
    )
    return out_dir / f"{name}.tar.gz"


def train(settings: Settings, force: bool = False) -> Path:
    """Train the model unless the one in ``models/`` was trained from the same inputs."""
    stamp = settings.models_dir / "fingerprint.json"
    fingerprint = training_fingerprint()
    code = training_fingerprint(CODE_INPUTS)
    model = model_path(settings)
    trained = json.loads(stamp.read_text()) if model.exists() and stamp.exists() else {}
    if not force and trained.get("fingerprint") == fingerprint:
        _say(f"model is up to date ({model})")
        return model
    # Rasa would reuse what the old code computed from unchanged data.
    no_cache = force or trained.get("code") != code
    _say("training the model (about three minutes on 2 cores when nothing can be reused)...")
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    rasa_train(settings.models_dir, MODEL_NAME, force=no_cache)
    elapsed = time.monotonic() - started
    stamp.write_text(
        json.dumps(
            {"fingerprint": fingerprint, "code": code, "training_seconds": round(elapsed, 1)}
        )
    )
    _say(f"model trained in {elapsed:.0f} s")
    return model


def actions_endpoint(port: int) -> dict[str, Any]:
    """Where Rasa calls the actions, with the shared secret (named, not written)."""
    return {
        "url": f"http://127.0.0.1:{port}/webhook",
        "headers": {SECRET_HEADER: f"${{{SECRET_ENV}}}"},
    }


def write_endpoints(settings: Settings) -> Path:
    """Write the Rasa endpoints for these settings under ``var/run/``."""
    run_dir = settings.var_dir / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    endpoints = {
        "action_endpoint": actions_endpoint(settings.actions_port),
        "tracker_store": tracker_store_config(settings.database_url),
    }
    path = run_dir / "endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints, sort_keys=False))
    return path


def write_channels(settings: Settings) -> tuple[Path, list[str]]:
    """Write the Rasa credentials of the channels switched on by the environment.

    credentials.yml is the template: a messaging channel whose variables are unset is left
    out, because Rasa stops on an unset ``${VARIABLE}`` (ValueError: half configured).
    """
    path = settings.var_dir / "run" / "credentials.yml"
    # Production mode: the REST webhook is on only behind its secret (docs/security.md).
    rest = not settings.production or bool(settings.rest_secret)
    names = write_credentials(PROJECT_DIR / "credentials.yml", path, os.environ, rest=rest)
    return path, names


def _child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, **(extra or {})}
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    # Rasa's telemetry would try to reach the internet, which this product must never need.
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_DIR), env.get("PYTHONPATH")]))
    return env


def start_process(
    name: str,
    command: list[str],
    log: Path,
    cwd: Path = PROJECT_DIR,
    env: Mapping[str, str] | None = None,
    niceness: int = 0,
) -> subprocess.Popen[bytes]:
    """Start one server in a process group of its own; ``env`` is added to ours.

    ``niceness`` above 0 starts it at a lower CPU priority (see ``production._restart_dead``).
    """
    _say(f"starting {name} (log: {log})")
    handle = log.open("ab")
    # A process group of its own, so that stopping it also stops what it started.
    return subprocess.Popen(
        ["nice", "-n", str(niceness), *command] if niceness else command,
        cwd=cwd,
        env=_child_env(env),
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def answers(url: str) -> bool:
    """Whether ``url`` answers 200 within two seconds."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def wait_until_ready(processes: dict[str, subprocess.Popen[bytes]], urls: dict[str, str]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    pending = dict(urls)
    while pending:
        for name, process in processes.items():
            if process.poll() is not None:
                raise RuntimeError(
                    f"{name} stopped during start-up (exit code {process.returncode})"
                )
        for name, url in list(pending.items()):
            if answers(url):
                _say(f"{name} is up")
                del pending[name]
        if time.monotonic() > deadline:
            raise RuntimeError(f"not ready after {READY_TIMEOUT_S} s: {', '.join(pending)}")
        time.sleep(0.5)


def stop_processes(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def server_commands(
    settings: Settings, model: Path, credentials: Path
) -> dict[str, tuple[list[str], str]]:
    """The command line of each server and the URL that answers once it is ready."""
    endpoints = write_endpoints(settings)
    rasa_args = [
        "-m",
        "bot.server",
        "run",
        "--model",
        str(model),
        "--port",
        str(settings.rasa_port),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(credentials),
        # The website's own origins only, not every origin (docs/security.md).
        "--cors",
        *settings.site_origins,
        "--interface",
        settings.rasa_host,
    ]
    if settings.rasa_api_token:
        # The HTTP API stays off without a token (CVE-2024-49375). The token reaches Rasa
        # through RASA_API_TOKEN in its environment, not the command line that ps shows
        # (bot/server/__main__.py).
        rasa_args += ["--enable-api"]
    actions = [sys.executable, "-m", "bot.server.action_server"]
    actions += ["--port", str(settings.actions_port), "--actions", "actions"]
    return {
        "actions server": (actions, f"http://127.0.0.1:{settings.actions_port}/health"),
        "rasa server": ([sys.executable, *rasa_args], f"http://127.0.0.1:{settings.rasa_port}/"),
        "web server": (
            [sys.executable, "-m", "bot.web"],
            f"http://127.0.0.1:{settings.web_port}/health",
        ),
    }


def ensure_api_token(settings: Settings) -> Settings:
    """``settings`` with a token for Rasa's HTTP API: ``RASA_API_TOKEN``, else var/'s own.

    The generated token is written once (mode 0600) and reused at every start, so that a
    console started by hand can read it; it is exported to the servers started from here.
    """
    if settings.rasa_api_token:
        return settings
    path = settings.var_dir / API_TOKEN_FILE
    token = path.read_text().strip() if path.exists() else ""
    if not token:
        token = secrets.token_urlsafe(32)
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(token + "\n")
        _say(f"generated a token for Rasa's HTTP API in {path}")
    os.environ["RASA_API_TOKEN"] = token
    return dataclasses.replace(settings, rasa_api_token=Secret(token))


def ensure_actions_secret(settings: Settings) -> None:
    """``BOT_ACTIONS_SECRET`` for Rasa and the action server: the environment's, else one
    generated once under var/ (mode 0600); exported to the servers started from here."""
    if os.environ.get(SECRET_ENV):
        return
    path = settings.var_dir / ACTIONS_SECRET_FILE
    secret = path.read_text().strip() if path.exists() else ""
    if not secret:
        secret = secrets.token_urlsafe(32)
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secret + "\n")
    os.environ[SECRET_ENV] = secret


def _prepare_console(settings: Settings) -> None:
    """The console's tables; on first start, a demo account printed once (PRODUCT.md)."""
    demo = console.prepare(settings)
    if demo is not None:
        _say(
            f"console demo account created: {demo[0]} / password {demo[1]}"
            f" (http://127.0.0.1:{settings.web_port}/console/); change its password"
            " before production"
        )


def prepare_servers(
    settings: Settings, model: Path
) -> tuple[Settings, dict[str, tuple[list[str], str]], list[str]]:
    """Database, API token, console and channels ready; the servers' commands and channels."""
    # The actions read and write the project's tables (sessions, bookings, vacancies).
    demo.prepare(settings, say=_say, demo=settings.demo_data)
    settings = ensure_api_token(settings)
    ensure_actions_secret(settings)
    _prepare_console(settings)
    credentials, channels = write_channels(settings)
    return settings, server_commands(settings, model, credentials), channels


def serve(settings: Settings) -> int:
    """Start the servers with the trained model and supervise them until stopped."""
    model = model_path(settings)
    if not model.exists():
        _say(f"no trained model at {model}: run `make train` first")
        return 1
    private_dir(settings.var_dir)
    logs = settings.var_dir / "log"
    logs.mkdir(parents=True, exist_ok=True)
    processes: dict[str, subprocess.Popen[bytes]] = {}

    def stop_on_signal(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_signal)
    try:
        settings, commands, channels = prepare_servers(settings, model)
        for name, (command, _url) in commands.items():
            processes[name] = start_process(name, command, logs / f"{name.split()[0]}.log")
        wait_until_ready(processes, {name: url for name, (_command, url) in commands.items()})
        messaging = [name for name in channels if name not in ("rest", "health", "socketio")]
        _say(
            f"ready: website http://127.0.0.1:{settings.web_port}/"
            f" · REST webhook http://127.0.0.1:{settings.rasa_port}/webhooks/rest/webhook"
            f" · socket.io http://127.0.0.1:{settings.rasa_port}/socket.io"
            f" · actions http://127.0.0.1:{settings.actions_port}/webhook"
            f" · channels: {', '.join(messaging) or 'none'} · Ctrl-C stops"
        )
        while all(p.poll() is None for p in processes.values()):
            time.sleep(0.5)
        stopped = [name for name, p in processes.items() if p.poll() is not None]
        _say(f"{', '.join(stopped)} stopped unexpectedly: see {logs}")
        return 1
    except KeyboardInterrupt:
        _say("stopping...")
        return 0
    except (RuntimeError, ValueError, SQLAlchemyError) as exc:
        _say(f"start-up failed: {exc}; see {logs}")
        return 1
    finally:
        # A second Ctrl-C or SIGTERM must not cut the stop short and leave servers behind:
        # stop_processes ends with SIGKILL after its deadline anyway.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stop_processes(processes)
        _say("stopped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.cli", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    train_cmd = commands.add_parser("train", help="train the model if its inputs changed")
    train_cmd.add_argument("--force", action="store_true", help="train even if up to date")
    commands.add_parser("run", help="train if needed, then start the assistant")
    commands.add_parser("serve", help="start the assistant with the trained model")
    commands.add_parser("config", help="write var/run/endpoints.yml and credentials.yml")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.command == "config":
        credentials, channels = write_channels(settings)
        endpoints = write_endpoints(settings)
        _say(f"wrote {endpoints} and {credentials} (channels: {', '.join(channels)})")
        return 0
    if args.command == "train":
        train(settings, force=args.force)
        return 0
    if args.command == "run":
        private_dir(settings.var_dir)
        train(settings)
    return serve(settings)
