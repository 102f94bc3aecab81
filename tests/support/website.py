"""A socket.io client speaking to Rasa as the website's chat widget does (e2e, production)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import socketio


class Website:
    """A socket.io client speaking to Rasa as the website's chat widget does."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session_id = uuid.uuid4().hex
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.client.on("bot_uttered", self.received.put_nowait)

    async def __aenter__(self) -> Website:
        confirmed = asyncio.Event()
        self.client.on("session_confirm", lambda _sid: confirmed.set())
        # Long polling: the websocket transport of this engineio needs a newer aiohttp.
        await self.client.connect(self.url, socketio_path="socket.io", transports=["polling"])
        await self.client.emit("session_request", {"session_id": self.session_id})
        await asyncio.wait_for(confirmed.wait(), 10)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.disconnect()

    async def say(self, text: str) -> None:
        payload = {"message": text, "session_id": self.session_id, "metadata": {"language": "fr"}}
        await self.client.emit("user_uttered", payload)

    async def next_text(self, timeout: float = 20) -> str:
        return str((await asyncio.wait_for(self.received.get(), timeout)).get("text"))

    async def answer(self) -> list[str]:
        """The assistant's answer: its first message (a cold model may take seconds), and
        whatever follows until nothing has come for two seconds."""
        return [await self.next_text(), *await self.silence(2)]

    async def silence(self, quiet_for: float) -> list[str]:
        """What arrives until nothing has come for ``quiet_for`` seconds (``[]``: silence)."""
        texts = []
        while True:
            try:
                texts.append(await self.next_text(quiet_for))
            except asyncio.TimeoutError:
                return texts
