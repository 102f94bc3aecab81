"""``make bench-prod``: 200 concurrent conversations through the load balancer.

The same load (``benchmarks.rest.drive``, 200 conversations of up to ten messages, one second
between an answer and the next message) on:

- the embedded default (``python -m bot.cli serve``: SQLite, one Rasa process), the baseline;
- production mode (``python -m bot.production``: PostgreSQL, Redis lock store, RabbitMQ
  broker, HAProxy) with 1, 2 and 4 Rasa processes.

The conversations are a mix of FAQ questions, vacancy searches and a booking form, half in
French and half in Dutch. ``report(results)`` gives the Markdown section (the lead can call
it from benchmarks/run.py); run alone, this module writes docs/benchmarks-prod.md.
``BENCH_PROD_CONVERSATIONS`` and ``BENCH_PROD_PROCESSES`` shorten a development run. Then
each fault of :mod:`benchmarks.prod_faults` (a Rasa process, the action server, the website
killed under load) with the first sendings that failed.
"""

from __future__ import annotations

import asyncio
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from benchmarks import prod_faults
from benchmarks.rest import Load, drive
from bot.ops.cli import PROJECT_DIR, free_port
from bot.storage import db
from tests.support.production import (
    REST_HEADERS,
    create_session,
    postgres_database,
    start_production,
    stop_production,
)

REPORT = PROJECT_DIR / "docs" / "benchmarks-prod.md"
CONVERSATIONS = int(os.environ.get("BENCH_PROD_CONVERSATIONS", "200"))
PROCESSES = tuple(int(n) for n in os.environ.get("BENCH_PROD_PROCESSES", "1,2,4").split(","))
THINK_S = 1.0
SESSION_SEATS = 100_000


def scripts(session_id: int) -> dict[str, list[str]]:
    """Six kinds of conversation: FAQ, vacancies and a booking, in French and in Dutch."""
    book = f'/inform{{"session_id": "{session_id}"}}'
    return {
        "fr-faq": [
            "Bonjour",
            "j'habite à Lille et je travaille à Courtrai, je paie mes impôts où ?",
            "et pour la mutuelle ?",
            "faut-il parler néerlandais pour bosser en Flandre ?",
            "merci beaucoup",
        ],
        "nl-faq": [
            "goeiedag",
            "ik woon in Halluin en werk in Menen, waar betaal ik belastingen?",
            "en de sociale zekerheid?",
            "hoeveel is het minimumloon in Frankrijk?",
            "bedankt",
        ],
        "fr-vacancies": [
            "Bonjour",
            "je cherche un travail de soudeur près de Courtrai",
            "et comme cariste à Tournai ?",
            "infirmier à Lille",
            "merci",
        ],
        "nl-vacancies": [
            "hallo",
            "ik zoek werk als lasser in Kortrijk",
            "heftruckchauffeur in Doornik",
            "verpleegkundige in Rijsel",
            "bedankt",
        ],
        "fr-booking": [
            "je voudrais m'inscrire à une séance d'information",
            book,
            "Camille Dubois",
            "camille.dubois@example.org",
            "non",
            "oui",
        ],
        "nl-booking": [
            "ik wil me inschrijven voor een infosessie",
            book,
            "Jana Peeters",
            "jana.peeters@example.org",
            "nee",
            "ja",
        ],
    }


@dataclass
class Result:
    """One setup and its load."""

    setup: str
    processes: int
    load: Load
    start_s: float


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


async def measure_embedded(workdir: Path) -> Result:
    """The embedded default, started as ``make serve`` starts it, loaded the same way."""
    ports = set()
    while len(ports) < 3:
        ports.add(free_port())
    rasa_port, actions_port, web_port = sorted(ports)
    database = workdir / "rasa.db"
    env = {
        **os.environ,
        "BOT_RASA_PORT": str(rasa_port),
        "BOT_ACTIONS_PORT": str(actions_port),
        "BOT_WEB_PORT": str(web_port),
        "BOT_VAR_DIR": str(workdir),
        "DATABASE_URL": f"sqlite:///{database}",
    }
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve"],
        cwd=PROJECT_DIR,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert process.stdout is not None
        output = []
        for line in process.stdout:
            output.append(line)
            if "ready:" in line or "stopped" in line:
                break
        if not any("ready:" in line for line in output):
            raise RuntimeError("the embedded assistant did not start:\n" + "".join(output))
        start_s = time.monotonic() - started
        engine = db.make_engine(env["DATABASE_URL"])
        session_id = create_session(engine, SESSION_SEATS)
        engine.dispose()
        url = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
        load = await drive(url, scripts(session_id), CONVERSATIONS, THINK_S, "embedded")
        return Result("embedded default (SQLite)", 1, load, start_s)
    finally:
        _stop(process)


async def measure_production(workdir: Path, processes: int) -> Result:
    """Production mode with ``processes`` Rasa processes, on a database of its own."""
    with postgres_database("crossborder_bench") as url:
        started = time.monotonic()
        deployment = await asyncio.to_thread(
            start_production, url, workdir / f"prod-{processes}", processes
        )
        try:
            start_s = time.monotonic() - started
            session_id = create_session(deployment.engine, SESSION_SEATS)
            name = f"production, {processes} Rasa"
            load = await drive(
                deployment.webhook,
                scripts(session_id),
                CONVERSATIONS,
                THINK_S,
                name,
                headers=REST_HEADERS,
            )
            return Result(
                "production (PostgreSQL, Redis, RabbitMQ, HAProxy)", processes, load, start_s
            )
        finally:
            await asyncio.to_thread(stop_production, deployment)


async def measure() -> list[Result]:
    """The baseline, then production mode with each number of processes."""
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        print("[bench-prod] embedded default...", flush=True)
        (Path(tmp) / "embedded").mkdir()
        results.append(await measure_embedded(Path(tmp) / "embedded"))
        for processes in PROCESSES:
            print(f"[bench-prod] production mode, {processes} Rasa processes...", flush=True)
            results.append(await measure_production(Path(tmp), processes))
    return results


def report(results: list[Result]) -> list[str]:
    """The production section of docs/benchmarks.md (Markdown lines)."""
    base = results[0].load
    lines = [
        f"## Production mode: {results[0].load.concurrency} conversations through the load"
        " balancer",
        "",
        f"{results[0].load.concurrency} concurrent conversations over the REST webhook, each"
        f" a FAQ, vacancy or booking conversation in French or Dutch, {THINK_S:.0f} s between"
        " an answer and the next message (`benchmarks/prod.py`, driver of"
        " `benchmarks/rest.py`). Production mode: HAProxy in front of N Rasa processes sharing"
        " PostgreSQL (tracker store and bookings), the Redis lock store and the RabbitMQ event"
        " broker, with one action server, the website and the event consumer running. The"
        " baseline is the embedded default (SQLite, one Rasa process) under the same load.",
        "",
        "| setup | Rasa processes | p50 ms | p95 ms | p99 ms | messages/s | × baseline |"
        " errors | start s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        load = result.load
        lines.append(
            f"| {result.setup} | {result.processes} | {load.percentile(50):.0f} |"
            f" {load.percentile(95):.0f} | {load.percentile(99):.0f} | {load.throughput:.1f} |"
            f" {load.throughput / base.throughput:.2f} | {load.errors} |"
            f" {result.start_s:.0f} |"
        )
    lines += [
        "",
        f"Measured on {date.today().isoformat()} on {os.cpu_count()} cores"
        f" ({platform.machine()}): the figures move from run to run (and more when other work"
        " shares the machine), the ratios of one run are the comparable ones. With two"
        " cores, more Rasa processes cannot add CPU: what"
        " they change is how the work is queued (every process runs NLU on its own event"
        " loop), and the action server, PostgreSQL, Redis, RabbitMQ and HAProxy share the same"
        " two cores.",
        "",
    ]
    return lines


def main() -> None:
    results = asyncio.run(measure())
    with tempfile.TemporaryDirectory() as tmp:
        faults = asyncio.run(prod_faults.measure(Path(tmp)))
    lines = ["# Benchmarks: production mode", "", *report(results), *prod_faults.report(faults)]
    REPORT.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
