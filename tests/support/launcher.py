"""Starts the real assistant (``python -m bot.cli serve``) on free loopback ports."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.ops.cli import free_port

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 300
# The people these tests play all write from this machine's one address: the limits per
# client address would stop the eleventh booking of a test session. Those limits have tests
# of their own (tests/integration/test_client_limits.py, on a real server with real
# addresses); tests/e2e/test_security.py checks the client key each message carries.
MANY_PEOPLE_ONE_ADDRESS = {
    "BOT_MAX_BOOKINGS_PER_CLIENT": "100000",
    "BOT_MAX_OPEN_CALLBACKS_PER_CLIENT": "100000",
    "BOT_MAX_FAILED_REFERENCES_PER_CLIENT": "100000",
}


@dataclass
class Assistant:
    rasa_url: str
    token: str
    process: subprocess.Popen[str]
    output: list[str]
    web_url: str = ""
    var_dir: Path = field(default_factory=Path)

    def tracker(self, sender: str) -> dict[str, Any]:
        """The conversation of ``sender`` through Rasa's HTTP API (token protected)."""
        # Sanic does not decode %2B or %3A in the path: keep ":" and "+" as they are.
        quoted = urllib.parse.quote(sender, safe=":+")
        url = f"{self.rasa_url}/conversations/{quoted}/tracker?token={self.token}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())

    def user_texts(self, sender: str, at_least: int = 0, timeout: float = 20) -> list[str]:
        """The user messages of ``sender``'s conversation, once there are ``at_least``.

        Rasa saves the tracker after the replies have gone out: poll for a moment.
        """
        deadline = time.monotonic() + timeout
        while True:
            events = self.tracker(sender)["events"]
            texts = [e.get("text") for e in events if e["event"] == "user"]
            if len(texts) >= at_least or time.monotonic() > deadline:
                return texts
            time.sleep(0.2)


def _tail(path: Path, lines: int = 60) -> str:
    return (
        "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""
    )


def start_assistant(var_dir: Path, extra_env: Mapping[str, str] | None = None) -> Assistant:
    """The launcher with its three servers, once it has printed its ready line.

    Raises:
        RuntimeError: with the launcher's output and the server logs when it did not start.
    """
    if not (ROOT / "models" / "crossborder.tar.gz").exists():
        raise RuntimeError("no trained model: run `make train` (make test-e2e does)")
    ports: set[int] = set()
    while len(ports) < 3:  # the kernel may hand out the same free port twice
        ports.add(free_port())
    rasa_port, actions_port, web_port = sorted(ports)
    token = "e2e-token"
    env = {
        **os.environ,
        "BOT_RASA_PORT": str(rasa_port),
        "BOT_ACTIONS_PORT": str(actions_port),
        "BOT_WEB_PORT": str(web_port),
        "BOT_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'rasa.db'}",
        "RASA_API_TOKEN": token,
        **MANY_PEOPLE_ONE_ADDRESS,
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve"],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output: list[str] = []
    deadline = time.monotonic() + START_TIMEOUT_S
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line)
        if "ready:" in line or time.monotonic() > deadline:
            break
    if process.poll() is not None or not any("ready:" in line for line in output):
        process.kill()
        logs = "".join(output) + "".join(
            _tail(var_dir / "log" / f"{name}.log") for name in ("rasa", "actions", "web")
        )
        raise RuntimeError(f"the assistant did not start:\n{logs}")
    return Assistant(
        f"http://127.0.0.1:{rasa_port}",
        token,
        process,
        output,
        web_url=f"http://127.0.0.1:{web_port}",
        var_dir=var_dir,
    )


def stop_assistant(assistant: Assistant) -> None:
    """SIGTERM, as Ctrl-C would; the launcher must stop everything and exit 0."""
    assistant.process.send_signal(signal.SIGTERM)
    remaining, _ = assistant.process.communicate(timeout=60)
    assistant.output.append(remaining)
    assert assistant.process.returncode == 0, "".join(assistant.output)
