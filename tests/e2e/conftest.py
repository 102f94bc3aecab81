"""Starts the real assistant (``python -m bot.cli serve``) on free loopback ports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import free_port

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 300


@dataclass
class Assistant:
    rasa_url: str
    token: str
    process: subprocess.Popen[str]
    output: list[str]
    database_url: str


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    if not (ROOT / "models" / "crossborder.tar.gz").exists():
        pytest.fail("no trained model: run `make train` (make test-e2e does)")
    var_dir = tmp_path_factory.mktemp("var")
    rasa_port, actions_port, token = free_port(), free_port(), "e2e-token"
    env = {
        **os.environ,
        "BOT_RASA_PORT": str(rasa_port),
        "BOT_ACTIONS_PORT": str(actions_port),
        "BOT_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'rasa.db'}",
        "RASA_API_TOKEN": token,
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
        if "ready:" in line:
            break
        if time.monotonic() > deadline:
            break
    if process.poll() is not None or not any("ready:" in line for line in output):
        process.kill()
        logs = (
            "".join(output)
            + _tail(var_dir / "log" / "rasa.log")
            + _tail(var_dir / "log" / "actions.log")
        )
        pytest.fail(f"the assistant did not start:\n{logs}")
    assistant = Assistant(
        f"http://127.0.0.1:{rasa_port}", token, process, output, env["DATABASE_URL"]
    )
    yield assistant
    process.send_signal(signal.SIGTERM)
    remaining, _ = process.communicate(timeout=60)
    output.append(remaining)
    assert process.returncode == 0, "".join(output)


def _tail(path: Path, lines: int = 60) -> str:
    return (
        "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""
    )
