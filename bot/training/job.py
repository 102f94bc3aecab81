"""One training at a time, in the background: ``python -m bot.manage models train``.

The console's **Train** button starts the command as a child process
(``asyncio.create_subprocess_exec``: the web server's loop never waits for it), its output
going to ``var/log/model-training.log``. Its state (running since when and by whom,
finished, failed and why) is kept in ``var/run/model-training.json``, so that every web
process, and one started again, sees the same state and refuses a second training while
the first runs (the check and the start under a file lock, ``model-training.lock``). A
training that fails leaves the active model as it was: the command only keeps a new model
(bot/training/models.py), activating one is a separate step.

The command is a parameter (``command(by)`` gives its argv): the tests run a small real
command instead of a training.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from bot.config import PROJECT_DIR

STATE_FILE = "model-training.json"
LOCK_FILE = "model-training.lock"
LOG_FILE = "model-training.log"
TAIL_LINES = 15
# How much of the end of the log :func:`progress` reads (a training's log is about 30 KB).
PROGRESS_BYTES = 262_144

IDLE, RUNNING, FINISHED, FAILED = "idle", "running", "finished", "failed"

Command = Callable[[str], Sequence[str]]


def train_command(by: str) -> list[str]:
    """The shell's training, evaluated at once so that the console can compare it."""
    return [sys.executable, "-m", "bot.manage", "models", "train", "--by", by, "--evaluate"]


@dataclass(frozen=True)
class Progress:
    """Where a running training is, read off its log: the component Rasa trains (the how
    many-th), the epoch of one that trains in epochs, or the evaluation that follows."""

    component: str | None = None
    number: int = 0  # components started so far
    epoch: int | None = None
    epochs: int | None = None
    evaluating: bool = False


_COMPONENT = re.compile(r"Starting to train component '([^']+)'")
_EPOCH = re.compile(r"Epochs:[^|\r\n]*\|[^|\r\n]*\|\s*(\d+)/(\d+)")
_EVALUATING = "[models] evaluating"


def progress(log: str) -> Progress | None:
    """The progress of the training whose log (its end) is ``log``; None before Rasa starts
    its first component."""
    starts = list(_COMPONENT.finditer(log))
    if not starts:
        return None
    last = starts[-1]
    after = log[last.end() :]
    if _EVALUATING in after:
        return Progress(last.group(1), len(starts), evaluating=True)
    epochs = _EPOCH.findall(after)
    if epochs:
        epoch, total = epochs[-1]
        return Progress(last.group(1), len(starts), int(epoch), int(total))
    return Progress(last.group(1), len(starts))


class TrainingRunning(Exception):
    """A training is already running (one at a time)."""

    def __init__(self, state: JobState) -> None:
        super().__init__(f"a training started by {state.by} is running")
        self.state = state


@dataclass(frozen=True)
class JobState:
    """What the last training did. ``reason`` says why it failed: ``exit`` (its exit
    status is ``returncode``), ``start`` (the command could not start) or ``lost`` (its
    process ended while no web process was watching it)."""

    state: str = IDLE
    by: str | None = None
    started: float | None = None
    finished: float | None = None
    pid: int | None = None
    returncode: int | None = None
    reason: str | None = None
    detail: str | None = None

    def elapsed(self, now: float | None = None) -> float | None:
        if self.started is None:
            return None
        end = self.finished if self.finished is not None else (now or time.time())
        return max(0.0, end - self.started)


class TrainingJob:
    """The background training of one project (``var_dir``: where its log and state live)."""

    def __init__(
        self, var_dir: Path, command: Command = train_command, cwd: Path = PROJECT_DIR
    ) -> None:
        self.state_file = var_dir / "run" / STATE_FILE
        self.lock_file = var_dir / "run" / LOCK_FILE
        self.log_file = var_dir / "log" / LOG_FILE
        self.command = command
        self.cwd = cwd
        # What the command trains from (the console writes the inbox's examples there).
        self.data_dir = cwd / "data"
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[JobState] | None = None

    def status(self) -> JobState:
        """The state as the state file says; a running training whose process is gone and
        that this process does not watch is reported failed (``lost``)."""
        try:
            state = JobState(**json.loads(self.state_file.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return JobState()
        watched = self._task is not None and not self._task.done()
        if state.state == RUNNING and not watched and not _alive(state.pid):
            return replace(state, state=FAILED, reason="lost")
        return state

    def _end_of_log(self, size: int) -> str:
        try:
            with self.log_file.open("rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - size))
                return log.read().decode("utf-8", errors="replace")
        except OSError:
            return ""

    def tail(self, lines: int = TAIL_LINES) -> list[str]:
        """The last lines of the log (carriage-return progress bars: their last state)."""
        return _last_lines(self._end_of_log(16_384), lines)

    def snapshot(self) -> tuple[JobState, list[str], Progress | None]:
        """The state, the log's last lines and, while it runs, the training's progress
        (files: call it off the event loop; the log is read once)."""
        state = self.status()
        if state.state != RUNNING:
            return state, self.tail(), None
        text = self._end_of_log(PROGRESS_BYTES)
        return state, _last_lines(text, TAIL_LINES), progress(text)

    async def start(self, by: str) -> JobState:
        """Start a training by ``by``; :class:`TrainingRunning` if one runs.

        Checking that none runs and recording the new one happen under a file lock, so that
        two web processes clicked at the same moment cannot both start one."""
        async with self._lock:
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            with self.lock_file.open("a") as guard:
                await asyncio.to_thread(fcntl.flock, guard.fileno(), fcntl.LOCK_EX)
                return await self._start(by)  # closing the file releases the lock

    async def _start(self, by: str) -> JobState:
        current = self.status()
        if current.state == RUNNING:
            raise TrainingRunning(current)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        started = time.time()
        with self.log_file.open("wb") as log:
            try:
                process = await asyncio.create_subprocess_exec(
                    *self.command(by),
                    cwd=self.cwd,
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=log,
                    stderr=asyncio.subprocess.STDOUT,
                )
            except OSError as exc:
                failed = JobState(FAILED, by, started, time.time(), reason="start", detail=str(exc))
                self._write(failed)
                return failed
        running = JobState(RUNNING, by, started, pid=process.pid)
        self._write(running)
        self._task = asyncio.create_task(self._watch(process, running))
        return running

    async def wait(self) -> JobState:
        """The end of the training this process started (tests, shutdown)."""
        if self._task is not None:
            return await self._task
        return self.status()

    def close(self) -> None:
        """Stop watching (the web server stops); the training itself goes on."""
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def _watch(self, process: asyncio.subprocess.Process, running: JobState) -> JobState:
        code = await process.wait()
        ended = replace(running, state=FINISHED, finished=time.time(), returncode=code)
        if code != 0:
            last = self.tail(1)
            ended = replace(ended, state=FAILED, reason="exit", detail=last[0] if last else "")
        self._write(ended)
        return ended

    def _write(self, state: JobState) -> None:
        part = self.state_file.with_name(self.state_file.name + ".part")
        part.write_text(json.dumps(asdict(state)), encoding="utf-8")
        os.replace(part, self.state_file)


def _last_lines(text: str, lines: int) -> list[str]:
    # Lines end with "\n" only: splitlines() would also cut at each "\r" of a bar.
    shown = [line.rsplit("\r", 1)[-1].rstrip() for line in text.split("\n")]
    return [line for line in shown if line][-lines:]


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: the pid was reused
        return False
    return True
