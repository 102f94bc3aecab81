"""Production mode while a process is killed, as a person chatting would see it.

40 candidates chat through the load balancer at a human pace (one message every 0.5 to
1.5 s after the answer, 8 messages each, half in French, half in Dutch) on production mode
with two Rasa processes; four seconds in, one process is killed with SIGKILL. Every message
is sent once, as a person sends it: a refused connection, a 5xx or an empty answer is a
failure the person saw. Per fault: the failed first sendings, the p95 latency of the
messages sent while the process was down or coming back, and the seconds until every
process serves again (HAProxy sees it up, or its readiness URL answers).

``measure_fault(name)`` is what ``tests/production/test_faults.py`` asserts on;
``make bench-prod`` reports the table (``report``).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from tests.support.production import (
    Deployment,
    Turn,
    haproxy_stats,
    postgres_database,
    say,
    start_production,
    stop_production,
)

CANDIDATES = 40
KILL_AFTER_S = 4.0
SCRIPTS = {
    "fr": [
        "bonjour",
        "je vis à Tourcoing et je voudrais bosser en Belgique, c'est compliqué ?",
        "et pour la mutuelle ?",
        "je cherche un poste de cariste vers Mouscron",
        "et magasinier à Courtrai ?",
        "il y a des séances d'information ?",
        "d'accord merci",
        "bonne journée",
    ],
    "nl": [
        "dag",
        "ik woon in Ieper en wil in Frankrijk gaan werken, hoe zit dat?",
        "en mijn ziekteverzekering?",
        "ik zoek werk als heftruckchauffeur in de buurt van Rijsel",
        "en als magazijnier in Doornik?",
        "zijn er infosessies binnenkort?",
        "oké bedankt",
        "nog een fijne dag",
    ],
}
# Which process each fault kills, and the URL that answers again once it is back.
FAULTS = ("rasa-1", "actions", "web")


@dataclass
class Sent:
    """One message as first sent: by whom, when, and what came back."""

    sender: str
    at_s: float
    turn: Turn

    @property
    def failed(self) -> bool:
        return self.turn.status != 200 or not self.turn.answers


@dataclass
class FaultRun:
    """One fault under the load: every first sending, and when the service was whole again."""

    fault: str
    sent: list[Sent] = field(default_factory=list)
    killed_at_s: float = 0.0
    back_after_s: float | None = None
    senders: dict[str, str] = field(default_factory=dict)

    @property
    def failures(self) -> list[Sent]:
        return [s for s in self.sent if s.failed]

    @property
    def failure_rate(self) -> float:
        return len(self.failures) / len(self.sent)

    def p95_during_ms(self) -> float:
        """p95 latency of the messages sent from the kill until the process was back."""
        end = self.killed_at_s + (self.back_after_s or float("inf"))
        during = sorted(
            s.turn.seconds * 1000 for s in self.sent if self.killed_at_s <= s.at_s <= end
        )
        if not during:
            return 0.0
        return during[min(len(during) - 1, int(0.95 * len(during)))]


async def _candidate(
    client: aiohttp.ClientSession,
    deployment: Deployment,
    sender: str,
    language: str,
    run: FaultRun,
    started: float,
    rng: random.Random,
) -> None:
    await asyncio.sleep(rng.uniform(0, 1.0))
    for message in SCRIPTS[language]:
        at = time.monotonic() - started
        turn = await say(client, deployment.webhook, sender, message)
        run.sent.append(Sent(sender, at, turn))
        await asyncio.sleep(rng.uniform(0.5, 1.5))


def _serves_again(deployment: Deployment, fault: str, killed_pid: int) -> bool:
    pids = deployment.pids()
    if pids.get(fault) == killed_pid:
        return False
    if fault.startswith("rasa-"):
        number = int(fault.split("-")[1])
        row = haproxy_stats(deployment).get(f"rasa_rest/rasa{number}", {})
        ready = deployment.rasa_ready(deployment.rasa_ports[number - 1])
        return ready and row.get("status", "").startswith("UP")
    if fault.startswith("actions"):
        rows = haproxy_stats(deployment)
        return all(
            row["status"].startswith("UP")
            for key, row in rows.items()
            if key.startswith("actions/") and key != "actions/BACKEND" and key != "actions/FRONTEND"
        )
    url = f"http://127.0.0.1:{deployment.web_port}/ready"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


async def run_fault(deployment: Deployment, fault: str, seed: int = 7) -> FaultRun:
    """The load of the module docstring, ``fault`` killed :data:`KILL_AFTER_S` in."""
    rng = random.Random(seed)
    run = FaultRun(fault)
    run.senders = {
        f"fault-{fault}-{lang}-{i}-{uuid.uuid4().hex[:8]}": lang
        for i in range(CANDIDATES // 2)
        for lang in SCRIPTS
    }
    pids = deployment.pids()
    name = fault if fault in pids else f"{fault}-1"  # several action servers: the first
    killed = pids[name]
    started = time.monotonic()

    async def kill_then_watch() -> None:
        await asyncio.sleep(KILL_AFTER_S)
        run.killed_at_s = time.monotonic() - started
        os.killpg(killed, signal.SIGKILL)
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            if await asyncio.to_thread(_serves_again, deployment, name, killed):
                run.back_after_s = time.monotonic() - started - run.killed_at_s
                return

    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=CANDIDATES)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as client:
        await asyncio.gather(
            *(
                _candidate(client, deployment, sender, lang, run, started, rng)
                for sender, lang in run.senders.items()
            ),
            kill_then_watch(),
        )
    return run


async def measure(workdir: Path, faults: tuple[str, ...] = FAULTS) -> list[FaultRun]:
    """Each fault in turn, on one production deployment (2 Rasa processes)."""
    runs = []
    with postgres_database("crossborder_faults") as url:
        deployment = await asyncio.to_thread(start_production, url, workdir / "faults", 2)
        try:
            for fault in faults:
                print(f"[bench-prod] killing {fault} under load...", flush=True)
                await asyncio.to_thread(deployment.wait_all_ready)
                runs.append(await run_fault(deployment, fault))
        finally:
            await asyncio.to_thread(stop_production, deployment)
    return runs


def report(runs: list[FaultRun]) -> list[str]:
    """The faults section of docs/benchmarks-prod.md (Markdown lines)."""
    lines = [
        "## A process killed under load",
        "",
        f"{CANDIDATES} candidates, {len(SCRIPTS['fr'])} messages each, 0.5–1.5 s between an"
        " answer and the next message, through HAProxy on two Rasa processes; the process"
        f" is killed with SIGKILL {KILL_AFTER_S:.0f} s in (`benchmarks/prod_faults.py`)."
        " Each message is sent once: a failure is what the person saw (refused connection,"
        " 5xx, or no answer).",
        "",
        "| process killed | messages | failed first sendings | p95 ms while down | back after s |",
        "|---|---|---|---|---|",
    ]
    for run in runs:
        back = "not back" if run.back_after_s is None else f"{run.back_after_s:.0f}"
        lines.append(
            f"| {run.fault} | {len(run.sent)} | {len(run.failures)}"
            f" ({run.failure_rate:.1%}) | {run.p95_during_ms():.0f} | {back} |"
        )
    return [*lines, ""]
