"""Live takeover against the real assistant: pause, consultant messages, resume.

What Rasa 3.6.21 does here (rasa/core/processor.py, rasa/server.py) and these tests hold it
to: a paused conversation still logs the candidate's messages but predicts no action; a
``bot`` event appended with ``output_channel=latest&execute_side_effects=true`` reaches the
channel the candidate last wrote from (for the website, the socket.io room of the session
id); ``resume`` gives the conversation back to the bot. No new intent or action is needed,
so this works with any trained model.
"""

from __future__ import annotations

import json
import secrets
import urllib.request
from typing import Any

import pytest

from bot import handoff, messages
from bot.config import Settings
from bot.errors import (
    AlreadyTakenOver,
    ConversationNotFound,
    NotTakenOver,
    RasaApiUnavailable,
)
from tests.e2e.conftest import Assistant
from tests.support.website import Website

pytestmark = pytest.mark.e2e


def _settings(assistant: Assistant, token: str | None = None) -> Settings:
    return Settings.from_env(
        {"BOT_RASA_API_URL": assistant.rasa_url, "RASA_API_TOKEN": token or assistant.token}
    )


def _say(assistant: Assistant, sender: str, text: str) -> list[dict[str, Any]]:
    request = urllib.request.Request(
        f"{assistant.rasa_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _events(assistant: Assistant, sender: str) -> list[dict[str, Any]]:
    return assistant.tracker(sender)["events"]


def _last_bot(assistant: Assistant, sender: str) -> dict[str, Any]:
    return [e for e in _events(assistant, sender) if e["event"] == "bot"][-1]


async def test_paused_conversation_logs_messages_silently_then_resumes(
    assistant: Assistant,
) -> None:
    settings, sender = _settings(assistant), f"takeover-{secrets.token_hex(6)}"
    assert _say(assistant, sender, "Bonjour, je cherche du travail en Belgique")

    await handoff.take_over(settings, sender, "sophie.forem")
    state = assistant.tracker(sender)
    assert state["paused"] is True
    joined = _last_bot(assistant, sender)
    assert joined["text"] == messages.text("fr", "handoff.takeover.joined")
    assert joined["metadata"]["kind"] == "consultant_joined"
    assert joined["metadata"]["consultant"] == "sophie.forem"

    assert _say(assistant, sender, "vous êtes là ?") == []  # the bot stays silent
    assert "vous êtes là ?" in assistant.user_texts(sender)
    await handoff.send_as_consultant(settings, sender, "Bonjour, ici Sophie du Forem 👋")
    assert _last_bot(assistant, sender)["text"] == "Bonjour, ici Sophie du Forem 👋"
    assert _say(assistant, sender, "super, merci") == []

    await handoff.hand_back(settings, sender)
    assert assistant.tracker(sender)["paused"] is False
    assert _last_bot(assistant, sender)["text"] == messages.text("fr", "handoff.takeover.left")
    assert _say(assistant, sender, "merci beaucoup")  # the bot answers again


async def test_candidate_is_told_in_dutch(assistant: Assistant) -> None:
    settings, sender = _settings(assistant), f"takeover-{secrets.token_hex(6)}"
    _say(assistant, sender, "Goeiedag, ik zoek werk in Frankrijk als lasser")
    assert assistant.tracker(sender)["slots"]["language"] == "nl"
    await handoff.take_over(settings, sender, "jan.vdab")
    assert _last_bot(assistant, sender)["text"] == messages.text("nl", "handoff.takeover.joined")
    await handoff.hand_back(settings, sender)
    assert _last_bot(assistant, sender)["text"] == messages.text("nl", "handoff.takeover.left")


async def test_second_take_over_and_message_without_take_over_are_refused(
    assistant: Assistant,
) -> None:
    settings, sender = _settings(assistant), f"takeover-{secrets.token_hex(6)}"
    _say(assistant, sender, "bonjour")
    with pytest.raises(NotTakenOver):
        await handoff.send_as_consultant(settings, sender, "bonjour")
    await handoff.take_over(settings, sender, "a")
    with pytest.raises(AlreadyTakenOver):
        await handoff.take_over(settings, sender, "b")
    await handoff.hand_back(settings, sender)
    bots = len([e for e in _events(assistant, sender) if e["event"] == "bot"])
    await handoff.hand_back(settings, sender)  # already back: nothing happens
    assert len([e for e in _events(assistant, sender) if e["event"] == "bot"]) == bots


async def test_unknown_conversation_and_wrong_token(assistant: Assistant) -> None:
    with pytest.raises(ConversationNotFound):
        await handoff.take_over(_settings(assistant), f"never-{secrets.token_hex(6)}", "a")
    sender = f"takeover-{secrets.token_hex(6)}"
    _say(assistant, sender, "bonjour")
    with pytest.raises(RasaApiUnavailable) as refused:
        await handoff.take_over(_settings(assistant, token="not-the-token"), sender, "a")
    assert refused.value.status == 401
    assert "not-the-token" not in str(refused.value)
    assert assistant.tracker(sender)["paused"] is False


async def test_website_visitor_reads_the_consultant_live(assistant: Assistant) -> None:
    settings = _settings(assistant)
    async with Website(assistant.rasa_url) as site:
        await site.say("Bonjour, vous pouvez m'aider à trouver un emploi ?")
        assert await site.answer()
        await handoff.take_over(settings, site.session_id, "sophie.forem")
        assert await site.next_text() == messages.text("fr", "handoff.takeover.joined")
        await handoff.send_as_consultant(settings, site.session_id, "Je regarde votre dossier.")
        assert await site.next_text() == "Je regarde votre dossier."
        await site.say("d'accord, j'attends")
        assert await site.silence(4) == []  # nothing from the bot while a person is in charge
        assert "d'accord, j'attends" in assistant.user_texts(site.session_id, at_least=2)
        await handoff.hand_back(settings, site.session_id)
        assert await site.next_text() == messages.text("fr", "handoff.takeover.left")
        await site.say("merci, au revoir")
        assert await site.answer()  # the assistant again
