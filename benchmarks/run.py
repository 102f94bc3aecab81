"""``make bench``: NLU accuracy on the held-out set, REST latency and throughput, memory.

The latency figures are measured next to a plain ``rasa init`` assistant trained and
served in the same run on the same machine, so that the ratio means something whatever
the machine. Results go to docs/benchmarks.md. Nothing here is a test: no threshold fails.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp

from bot import training_data
from bot.cli import (
    PROJECT_DIR,
    free_port,
    model_path,
    server_commands,
    start_process,
    stop_processes,
    wait_until_ready,
)
from bot.config import Settings
from bot.language import detect

REPORT = PROJECT_DIR / "docs" / "benchmarks.md"
TURNS = 10
CONCURRENCY = (1, 20)
OUR_MESSAGES = [
    "Bonjour",
    "qu'est-ce que tu sais faire ?",
    "merci beaucoup",
    "vous êtes un robot ?",
    "goeiedag",
    "wat kan je allemaal?",
    "bedankt",
    "ben jij een mens?",
    "ok",
    "au revoir",
]
BASELINE_MESSAGES = ["hello", "I am sad", "yes", "great", "are you a bot?", "bye"] * 2


HELDOUT = PROJECT_DIR / "tests" / "nlu_heldout"
DEV = PROJECT_DIR / "tests" / "nlu_dev"


def _examples(folder: Path) -> list[tuple[str, str, str]]:
    """(language, intent, text) for every example of the NLU files of ``folder``."""
    rows = []
    for path in sorted(folder.glob("*.yml")):
        language = path.stem.rsplit("_", 1)[-1]
        for intent, lines in training_data.examples(path, plain=True).items():
            rows.extend((language, intent, text) for text in lines)
    return rows


def _predicted(parsed: dict[str, Any]) -> str:
    """The intent, with the ResponseSelector's topic for a retrieval intent ("faq/taxes")."""
    intent = parsed["intent"]
    name = str(intent.get("name"))
    selectors = parsed.get("response_selector") or {}
    if name not in selectors.get("all_retrieval_intents", []):
        return name
    selected = selectors.get(name) or {}
    key = (selected.get("response") or {}).get("intent_response_key")
    return str(intent.get("full_retrieval_intent_name") or key or name)


async def nlu_figures(model: Path) -> dict[str, Any]:
    """Intent accuracy on the held-out and development sets, and language detection."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    figures = {"heldout": await _accuracy(agent, HELDOUT), "dev": await _accuracy(agent, DEV)}
    detection: dict[str, list[bool]] = defaultdict(list)
    for language, _intent, text in _examples(HELDOUT):
        if len(text.split()) >= 3:
            detection[language].append(detect(text).name == language)
    fresh: dict[str, list[bool]] = defaultdict(list)
    for path in sorted(HELDOUT.glob("detection_*.txt")):
        language = path.stem.rsplit("_", 1)[-1]
        for text in filter(None, (line.strip() for line in path.read_text().splitlines())):
            fresh[language].append(detect(text).name == language)
    figures["detection"] = {lang: (_share(v), len(v)) for lang, v in sorted(detection.items())}
    figures["fresh_detection"] = {lang: (_share(v), len(v)) for lang, v in sorted(fresh.items())}
    return figures


def _share(values: list[bool]) -> float:
    return 100.0 * sum(values) / len(values)


async def _accuracy(agent: Any, folder: Path) -> dict[str, Any]:
    per_lang: dict[str, list[bool]] = defaultdict(list)
    per_intent: dict[tuple[str, str], list[bool]] = defaultdict(list)
    misses = []
    for language, intent, text in _examples(folder):
        parsed = await agent.parse_message(text)
        predicted = _predicted(parsed)
        right = predicted == intent
        per_lang[language].append(right)
        per_intent[(language, intent)].append(right)
        if not right:
            misses.append((language, intent, predicted, text))
    return {
        "intent": {lang: (_share(v), len(v)) for lang, v in sorted(per_lang.items())},
        "worst": sorted((_share(v), k) for k, v in per_intent.items())[:8],
        "per_intent": {key: (_share(v), len(v)) for key, v in per_intent.items()},
        "misses": misses,
    }


@dataclass
class Load:
    concurrency: int
    latencies_ms: list[float]
    wall_s: float

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.wall_s


async def drive(url: str, messages: list[str], concurrency: int) -> Load:
    latencies: list[float] = []

    async def conversation(session: aiohttp.ClientSession, sender: str) -> None:
        for text in messages[:TURNS]:
            started = time.perf_counter()
            async with session.post(url, json={"sender": sender, "message": text}) as response:
                response.raise_for_status()
                await response.read()
            latencies.append(1000 * (time.perf_counter() - started))

    async with aiohttp.ClientSession() as session:
        await conversation(session, f"warmup-{concurrency}")
        latencies.clear()
        started = time.perf_counter()
        await asyncio.gather(
            *(
                conversation(session, f"bench-{concurrency}-{i}-{time.time_ns()}")
                for i in range(concurrency)
            )
        )
        wall = time.perf_counter() - started
    return Load(concurrency, list(latencies), wall)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def measure_ours(workdir: Path) -> tuple[list[Load], float]:
    settings = Settings.from_env(
        {
            "BOT_RASA_PORT": str(free_port()),
            "BOT_ACTIONS_PORT": str(free_port()),
            "BOT_VAR_DIR": str(workdir / "var"),
        }
    )
    commands = server_commands(settings, model_path(Settings.from_env()))
    (workdir / "var").mkdir(exist_ok=True)
    processes = {
        name: start_process(name, cmd, workdir / "var" / f"{name.split()[0]}.log")
        for name, (cmd, _url) in commands.items()
    }
    try:
        wait_until_ready(processes, {name: url for name, (_cmd, url) in commands.items()})
        url = f"http://127.0.0.1:{settings.rasa_port}/webhooks/rest/webhook"
        loads = [await drive(url, OUR_MESSAGES, c) for c in CONCURRENCY]
        return loads, rss_mb(processes["rasa server"].pid)
    finally:
        stop_processes(processes)


async def measure_baseline(workdir: Path) -> tuple[list[Load], float, float]:
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
    process = start_process(
        "baseline", [rasa, "run", "--port", str(port)], workdir / "baseline.log"
    )
    # `rasa run` resolves models/ against the working directory.
    processes = {"baseline": process}
    try:
        wait_until_ready(processes, {"baseline": f"http://127.0.0.1:{port}/"})
        url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
        loads = [await drive(url, BASELINE_MESSAGES, c) for c in CONCURRENCY]
        return loads, rss_mb(process.pid), training_s
    finally:
        stop_processes(processes)


def write_report(
    nlu: dict[str, Any],
    ours: list[Load],
    ours_rss: float,
    base: list[Load],
    base_rss: float,
    base_training_s: float,
) -> str:
    stamp = json.loads((PROJECT_DIR / "models" / "fingerprint.json").read_text())
    lines = [
        "# Benchmarks",
        "",
        f"Measured on {date.today().isoformat()} with `make bench` on {os.cpu_count()} cores "
        f"({platform.machine()}, Python {platform.python_version()}).",
        "Figures change from run to run; the ratio to the `rasa init` baseline,"
        " measured in the same run, is the comparable one.",
        "",
        "## NLU",
        "",
        "Intent accuracy (a `faq/<topic>` counts as right only when the ResponseSelector also"
        " picks the right topic). The held-out set `tests/nlu_heldout/` was written by someone"
        " who never saw the training data and is never used to choose anything; lines equal"
        " to a training line were removed. `tests/nlu_dev/` is the development set, whose"
        " misses are read to improve the data and the pipeline.",
        "",
        "| language | held-out accuracy | examples | dev accuracy | examples |"
        " language detection, held-out, 3+ words | examples |",
        "|---|---|---|---|---|---|---|",
    ]
    held, dev = nlu["heldout"], nlu["dev"]
    for lang, (acc, n) in held["intent"].items():
        dacc, dn = dev["intent"].get(lang, (float("nan"), 0))
        det, detn = nlu["detection"][lang]
        lines.append(f"| {lang} | {acc:.1f} % | {n} | {dacc:.1f} % | {dn} | {det:.1f} % | {detn} |")
    fresh = ", ".join(
        f"{lang} {acc:.1f} % of {n}" for lang, (acc, n) in nlu["fresh_detection"].items()
    )
    lines += [
        "",
        f"Language detection on tests/nlu_heldout/detection_*.txt (messages of 3+ words): {fresh}.",
        "",
        "Worst held-out intents: "
        + ", ".join(f"{lang}/{intent} {acc:.0f} %" for acc, (lang, intent) in held["worst"]),
        "",
    ]
    lines += _topic_table(held["per_intent"])
    lines += [
        "## REST webhook latency (10 messages per conversation)",
        "",
        "| assistant | concurrent conversations | p50 ms | p95 ms | p99 ms | messages/s |",
        "|---|---|---|---|---|---|",
    ]
    for name, loads in (
        ("this assistant (SQL tracker store, custom action every turn)", ours),
        ("`rasa init` baseline (in-memory tracker store)", base),
    ):
        for load in loads:
            lines.append(
                f"| {name} | {load.concurrency} | {load.percentile(50):.0f} | "
                f"{load.percentile(95):.0f} | {load.percentile(99):.0f} | {load.throughput:.1f} |"
            )
    ratio = ours[-1].throughput / base[-1].throughput
    lines += [
        "",
        f"Throughput at {ours[-1].concurrency} conversations: {ratio:.2f} × the baseline.",
        "",
        "## Training and memory",
        "",
        f"- Last `make train`: {stamp.get('training_seconds', 'n/a')} s (Rasa reuses the"
        " components whose inputs did not change, so this is a cold training only on a"
        f" fresh clone); `rasa init` baseline: {base_training_s:.0f} s on its sample data.",
        f"- Rasa server resident memory after the load: {ours_rss:.0f} MB "
        f"(baseline {base_rss:.0f} MB).",
        "",
    ]
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(lines))
    return "\n".join(lines)


def _topic_table(per_intent: dict[tuple[str, str], tuple[float, int]]) -> list[str]:
    """Accuracy per FAQ topic (intent and ResponseSelector topic both right), worst first."""
    topics = sorted({intent for _, intent in per_intent if intent.startswith("faq/")})
    if not topics:
        return []

    def mean(topic: str) -> float:
        return sum(per_intent.get((lang, topic), (0.0, 0))[0] for lang in ("fr", "nl")) / 2

    lines = [
        "### FAQ topics (retrieval intent and selected topic both right), worst first",
        "",
        "| topic | fr | nl |",
        "|---|---|---|",
    ]
    for topic in sorted(topics, key=mean):
        cells = []
        for lang in ("fr", "nl"):
            acc, n = per_intent.get((lang, topic), (float("nan"), 0))
            cells.append(f"{acc:.0f} % of {n}")
        lines.append(f"| {topic} | {' | '.join(cells)} |")
    return lines + [""]


async def main() -> None:
    model = model_path(Settings.from_env())
    print("[bench] NLU on the held-out and development sets...", flush=True)
    nlu = await nlu_figures(model)
    # Only the development set's misses are printed: the held-out set is not for tuning.
    for language, intent, got, text in nlu["dev"]["misses"]:
        print(f"  dev miss [{language}] {intent} -> {got}: {text}")
    with tempfile.TemporaryDirectory() as tmp:
        print("[bench] REST latency of this assistant...", flush=True)
        ours, ours_rss = await measure_ours(Path(tmp))
        base, base_rss, base_training = await measure_baseline(Path(tmp))
    print(write_report(nlu, ours, ours_rss, base, base_rss, base_training))


if __name__ == "__main__":
    asyncio.run(main())
