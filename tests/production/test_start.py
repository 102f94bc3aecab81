"""Production mode starts only on its real services, and then serves through HAProxy."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid

import aiohttp
import pytest

from bot import handoff, messages
from bot.config import Settings
from tests.support.production import ROOT, Deployment, haproxy_stats, say, until_consumed
from tests.support.website import Website

pytestmark = pytest.mark.production


def _preflight(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.production", "preflight"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_sqlite_is_refused_before_anything_starts() -> None:
    done = _preflight(DATABASE_URL="sqlite:////tmp/never.db")
    assert done.returncode == 1
    assert "DATABASE_URL must be a postgresql:// URL" in done.stdout


def test_unreachable_services_are_refused_one_line_each() -> None:
    done = _preflight(
        DATABASE_URL="postgresql://postgres@127.0.0.1:9/none",
        BOT_REDIS_URL="redis://127.0.0.1:9/0",
        BOT_RABBITMQ_URL="amqp://guest:guest@127.0.0.1:9/%2F",
    )
    problems = [line for line in done.stdout.splitlines() if "cannot start" in line]
    assert done.returncode == 1
    assert [p.split(": ")[1].split(" at ")[0] for p in problems] == [
        "PostgreSQL",
        "Redis",
        "RabbitMQ",
    ]


def test_the_local_services_pass_the_preflight() -> None:
    done = _preflight(DATABASE_URL="postgresql://postgres@127.0.0.1:5432/test")
    assert done.returncode == 0, done.stdout


async def test_conversations_are_spread_and_reach_postgres_and_the_consumer(
    deployment: Deployment,
) -> None:
    senders = [f"prod-start-{uuid.uuid4().hex}" for _ in range(8)]
    async with aiohttp.ClientSession() as session:
        turns = await asyncio.gather(
            *(say(session, deployment.webhook, s, "Bonjour") for s in senders)
        )
    assert all(t.status == 200 and t.answers for t in turns)
    for sender in senders:
        assert deployment.user_texts(sender) == ["Bonjour"]
    stats = haproxy_stats(deployment)
    served = [int(stats[f"rasa_rest/rasa{i}"]["stot"]) for i in (1, 2)]
    assert all(count > 0 for count in served), served
    await until_consumed(deployment, senders, timeout_s=30)


def test_every_process_logs_json_lines(deployment: Deployment) -> None:
    for name in ("rasa-1", "actions-1", "actions-2", "web", "events"):
        lines = [line for line in deployment.log(name).splitlines() if line.startswith("{")]
        assert lines, name
        entry = json.loads(lines[-1])
        assert {"time", "level", "logger", "process"} <= set(entry), entry
        assert entry["process"] == name


def test_health_and_readiness_endpoints_answer(deployment: Deployment) -> None:
    # tests/production/test_faults.py, which runs first, ends by killing rasa-1 and does not
    # wait for the launcher to start it again (about a minute on two cores).
    deployment.wait_all_ready(timeout_s=150)
    assert all(deployment.rasa_ready(port) for port in deployment.rasa_ports)
    assert deployment.consumer_health()["connected"] is True


async def test_a_consultant_reaches_the_website_visitor_through_every_rasa_process(
    deployment: Deployment,
) -> None:
    # The browser's socket lives in one Rasa process (HAProxy: sticky by client address);
    # the console's calls to Rasa's API may reach any of them.
    deployment.wait_all_ready(timeout_s=150)
    token = (deployment.var_dir / "rasa_api_token").read_text().strip()
    through = [
        Settings.from_env({"BOT_RASA_API_URL": f"http://127.0.0.1:{port}", "RASA_API_TOKEN": token})
        for port in deployment.rasa_ports
    ]
    async with Website(f"http://127.0.0.1:{deployment.rasa_port}") as site:
        await site.say("Bonjour, je cherche un emploi de l'autre côté de la frontière")
        assert await site.answer()
        await handoff.take_over(through[0], site.session_id, "sophie.forem")
        assert await site.next_text() == messages.text("fr", "handoff.takeover.joined")
        for number, settings in enumerate(through, 1):
            await handoff.send_as_consultant(settings, site.session_id, f"Message {number}")
            assert await site.next_text() == f"Message {number}"
        await handoff.hand_back(through[-1], site.session_id)
        assert await site.next_text() == messages.text("fr", "handoff.takeover.left")
