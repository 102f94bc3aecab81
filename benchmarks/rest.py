"""REST webhook latency and throughput of the assistant, next to a plain ``rasa init`` bot.

Two loads, each with 1 and 20 concurrent conversations of ten messages:

- *paced*: every conversation waits ``THINK_S`` between receiving an answer and sending its
  next message (a person reading and typing takes longer: this is a harsh pace), and the
  conversations start spread over one pace. This is the load the latency target is about.
- *flat out*: no pause at all; with 20 conversations, 20 requests are always in flight, so
  latency is queueing, and the figure that matters is the throughput, compared with the
  ``rasa init`` baseline measured in the same run on the same machine.

Both assistants run as ``make run`` runs them: this one with its SQL tracker store (SQLite)
and custom actions, the baseline with its defaults (in-memory tracker store, no actions).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bot.config import Settings
from bot.ops.cli import (
    free_port,
    model_path,
    prepare_servers,
    start_process,
    stop_processes,
    wait_until_ready,
)

TURNS = 10
CONCURRENCY = (1, 20)
THINK_S = 1.0
# Each conversation speaks one language; half of them French, half Dutch.
OUR_MESSAGES = {
    "fr": [
        "Bonjour",
        "qu'est-ce que tu sais faire ?",
        "j'habite à Lille et je travaille à Courtrai, je paie mes impôts où ?",
        "et pour la mutuelle ?",
        "faut-il parler néerlandais pour bosser en Flandre ?",
        "vous êtes un robot ?",
        "c'est combien le salaire minimum en Belgique ?",
        "ok",
        "merci beaucoup",
        "au revoir",
    ],
    "nl": [
        "goeiedag",
        "wat kan je allemaal?",
        "ik woon in Halluin en werk in Menen, waar betaal ik belastingen?",
        "en de sociale zekerheid?",
        "moet ik Frans kennen om in Rijsel te werken?",
        "ben jij een mens?",
        "hoeveel is het minimumloon in Frankrijk?",
        "ok",
        "bedankt",
        "tot ziens",
    ],
}
BASELINE_MESSAGES = {"en": ["hello", "I am sad", "yes", "great", "are you a bot?", "bye"] * 2}


@dataclass
class Load:
    """The latencies of one load run."""

    name: str
    concurrency: int
    latencies_ms: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    errors: int = 0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.wall_s


async def drive(
    url: str,
    scripts: dict[str, list[str]],
    concurrency: int,
    think_s: float,
    name: str,
    headers: dict[str, str] | None = None,
) -> Load:
    """Hold ``concurrency`` conversations of ``TURNS`` messages against a REST webhook."""
    load = Load(name, concurrency)
    languages = sorted(scripts)

    async def conversation(session: aiohttp.ClientSession, index: int, record: bool) -> None:
        messages = scripts[languages[index % len(languages)]]
        sender = f"bench-{name}-{concurrency}-{index}-{time.time_ns()}"
        if think_s:
            await asyncio.sleep(think_s * index / max(concurrency, 1))
        for turn, text in enumerate(messages[:TURNS]):
            if turn and think_s:
                await asyncio.sleep(think_s)
            started = time.perf_counter()
            body = {"sender": sender, "message": text}
            async with session.post(url, json=body, headers=headers) as response:
                await response.read()
                if response.status != 200:
                    load.errors += 1
            if record:
                load.latencies_ms.append(1000 * (time.perf_counter() - started))

    async with aiohttp.ClientSession() as session:
        await conversation(session, 0, record=False)  # warm-up: first-use costs
        started = time.perf_counter()
        await asyncio.gather(*(conversation(session, i, True) for i in range(concurrency)))
        load.wall_s = time.perf_counter() - started
    return load


async def _loads(url: str, scripts: dict[str, list[str]], name: str) -> list[Load]:
    loads = []
    for think_s, label in ((THINK_S, "paced"), (0.0, "flat out")):
        for concurrency in CONCURRENCY:
            loads.append(await drive(url, scripts, concurrency, think_s, f"{name}, {label}"))
    return loads


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def measure_ours(workdir: Path) -> dict[str, Any]:
    """Start this assistant on free ports, as ``make run`` does, and load it."""
    var = workdir / "var"
    var.mkdir(exist_ok=True)
    # In the environment, as the servers read their ports from it too.
    os.environ.update(
        {
            "BOT_RASA_PORT": str(free_port()),
            "BOT_ACTIONS_PORT": str(free_port()),
            "BOT_WEB_PORT": str(free_port()),
            "BOT_VAR_DIR": str(var),
        }
    )
    settings = Settings.from_env()
    settings, commands, _channels = prepare_servers(settings, model_path(settings))
    processes = {
        name: start_process(name, cmd, var / f"{name.split()[0]}.log")
        for name, (cmd, _url) in commands.items()
    }
    try:
        wait_until_ready(processes, {name: url for name, (_cmd, url) in commands.items()})
        url = f"http://127.0.0.1:{settings.rasa_port}/webhooks/rest/webhook"
        loads = await _loads(url, OUR_MESSAGES, "this assistant")
        return {"loads": loads, "rss_mb": rss_mb(processes["rasa server"].pid)}
    finally:
        stop_processes(processes)


async def measure_baseline(workdir: Path) -> dict[str, Any]:
    """Train a plain ``rasa init`` bot, serve it with its defaults and load it."""
    rasa = str(Path(sys.executable).with_name("rasa"))
    init_dir = workdir / "rasa-init"
    init_dir.mkdir()
    print("[bench] training the `rasa init` baseline...", flush=True)
    started = time.monotonic()
    subprocess.run(
        [rasa, "init", "--no-prompt", "--init-dir", str(init_dir)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=init_dir,
    )
    training_s = time.monotonic() - started
    port = free_port()
    command = [rasa, "run", "--port", str(port), "--model", str(init_dir / "models")]
    process = start_process("baseline", command, workdir / "baseline.log", cwd=init_dir)
    processes = {"baseline": process}
    try:
        wait_until_ready(processes, {"baseline": f"http://127.0.0.1:{port}/"})
        url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
        loads = await _loads(url, BASELINE_MESSAGES, "rasa init")
        return {"loads": loads, "rss_mb": rss_mb(process.pid), "training_s": training_s}
    finally:
        stop_processes(processes)


def report(ours: dict[str, Any], base: dict[str, Any]) -> list[str]:
    """The REST section of docs/benchmarks.md."""
    lines = [
        "## REST webhook latency and throughput",
        "",
        f"Ten messages per conversation. *Paced*: {THINK_S:.0f} s between an answer and the next"
        " message (people take longer), starts spread over that second: the load of the"
        " latency target. *Flat out*: no pause, so with 20 conversations 20 requests are always"
        " in flight and latency is mostly queueing; compare its throughput with the baseline.",
        "",
        "| assistant and load | conversations | p50 ms | p95 ms | p99 ms | messages/s | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    for load in [*ours["loads"], *base["loads"]]:
        lines.append(
            f"| {load.name} | {load.concurrency} | {load.percentile(50):.0f} | "
            f"{load.percentile(95):.0f} | {load.percentile(99):.0f} | {load.throughput:.1f} |"
            f" {load.errors} |"
        )
    flat_ours = ours["loads"][-1]
    flat_base = base["loads"][-1]
    paced = ours["loads"][1]
    lines += [
        "",
        f"- Paced, {paced.concurrency} conversations: p95 {paced.percentile(95):.0f} ms"
        " (target: under 150 ms).",
        f"- Flat out, {flat_ours.concurrency} conversations: {flat_ours.throughput:.1f} messages/s,"
        f" {flat_ours.throughput / flat_base.throughput:.2f} × the `rasa init` baseline's"
        f" {flat_base.throughput:.1f} (target: at least 1 ×).",
        f"- Rasa server resident memory after the load: {ours['rss_mb']:.0f} MB"
        f" (baseline {base['rss_mb']:.0f} MB).",
        "",
    ]
    return lines
