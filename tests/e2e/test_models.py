"""Activating and rolling back a kept model on the running assistant (bot/ops/models.py):
Rasa loads it through its HTTP API, a message sent meanwhile is answered, the conversation
goes on."""

from __future__ import annotations

import argparse
import asyncio
import uuid
from pathlib import Path

import aiohttp
import pytest

from bot.config import Settings
from bot.ops import models as model_commands
from tests.support.launcher import ROOT, Assistant


def _settings(assistant: Assistant, models_dir: Path) -> Settings:
    port = assistant.rasa_url.rsplit(":", 1)[1]
    return Settings.from_env(
        {
            "BOT_MODELS_DIR": str(models_dir),
            "BOT_RASA_PORT": port,
            "BOT_VAR_DIR": str(models_dir / "var"),
            "RASA_API_TOKEN": assistant.token,
        }
    )


async def _say(client: aiohttp.ClientSession, assistant: Assistant, sender: str, text: str):  # type: ignore[no-untyped-def]
    url = f"{assistant.rasa_url}/webhooks/rest/webhook"
    async with client.post(url, json={"sender": sender, "message": text}) as response:
        return response.status, await response.json()


async def test_activation_and_rollback_reload_rasa_without_losing_a_message(
    assistant: Assistant, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    models_dir = tmp_path / "models"
    models_dir.mkdir()
    settings = _settings(assistant, models_dir)
    registry = model_commands.registry(settings)
    # Two kept models (the same trained file: what is tested is the switch, not the model).
    first, second = (
        registry.keep(ROOT / "models" / "crossborder.tar.gz", trained_by="e2e", data_hash=h)
        for h in ("data one", "data two")
    )
    sender = f"models-{uuid.uuid4().hex[:8]}"
    timeout = aiohttp.ClientTimeout(total=300)
    async with aiohttp.ClientSession(timeout=timeout) as client:
        status, answers = await _say(client, assistant, sender, "bonjour")
        assert status == 200 and answers

        switching = asyncio.create_task(
            asyncio.to_thread(model_commands._switch, settings, first.id, "e2e", None, "activate")
        )
        await asyncio.sleep(0.3)  # Rasa is loading the model now
        status, answers = await _say(
            client, assistant, sender, "je cherche un emploi de soudeur à Courtrai"
        )
        assert await switching == 0
        assert status == 200 and answers  # answered, by the old model or the new one
    assert f"Rasa on port {settings.rasa_port}: loaded" in capsys.readouterr().out
    assert registry.active_id() == first.id
    assert assistant.user_texts(sender, at_least=2)[-2:] == [
        "bonjour",
        "je cherche un emploi de soudeur à Courtrai",
    ]

    switch = model_commands._switch
    assert await asyncio.to_thread(switch, settings, second.id, "e2e", "labels", "activate") == 0
    rollback = argparse.Namespace(model=None, by="e2e")
    assert await asyncio.to_thread(model_commands._rollback, settings, rollback) == 0
    assert registry.active_id() == first.id
    assert capsys.readouterr().out.count(": loaded") == 2
    assert [(r["id"], r["action"]) for r in registry.history()] == [
        (first.id, "activate"),
        (second.id, "activate"),
        (first.id, "rollback"),
    ]
    # The conversation goes on with the model rolled back to.
    status_answers = await asyncio.to_thread(_say_once, assistant, sender, "merci, au revoir")
    assert status_answers


def _say_once(assistant: Assistant, sender: str, text: str) -> list[dict]:  # type: ignore[type-arg]
    async def run() -> list[dict]:  # type: ignore[type-arg]
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as client:
            status, answers = await _say(client, assistant, sender, text)
            assert status == 200
            return list(answers)

    return asyncio.run(run())


def test_rollback_without_an_earlier_model_says_so(assistant: Assistant, tmp_path: Path) -> None:
    settings = _settings(assistant, tmp_path / "models")
    args = argparse.Namespace(model=None, by="e2e")
    assert model_commands._rollback(settings, args) == 2
