"""A local stand-in for the Telegram, Meta and Twilio APIs, recording what the bot sends.

It runs in a thread with its own event loop, so that tests stay synchronous. The channels
are pointed at it with TELEGRAM_API_URL, FACEBOOK_API_URL and TWILIO_API_URL.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.ops.cli import free_port


@dataclass
class Call:
    platform: str
    path: str
    fields: dict[str, Any]
    query: dict[str, str] = field(default_factory=dict)
    authorization: str = ""


class FakePlatform:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.calls: list[Call] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._serve, daemon=True)

    # -- the fake APIs --------------------------------------------------------------
    async def _telegram(self, request: web.Request) -> web.Response:
        form = dict(await request.post()) if request.content_type != "application/json" else {}
        if request.content_type == "application/json":
            form = await request.json()
        method = request.match_info["method"]
        self.calls.append(Call("telegram", method, {k: str(v) for k, v in form.items()}))
        if method == "sendMessage":
            result: Any = {
                "message_id": len(self.calls),
                "date": int(time.time()),
                "chat": {"id": int(form.get("chat_id", 0)), "type": "private"},
                "text": str(form.get("text", "")),
            }
        else:
            result = True
        return web.json_response({"ok": True, "result": result})

    async def _facebook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls.append(Call("facebook", request.path, body, dict(request.query)))
        return web.json_response({"recipient_id": body["recipient"]["id"], "message_id": "m_x"})

    async def _twilio(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        auth = request.headers.get("Authorization", "")
        self.calls.append(Call("twilio", request.path, form, authorization=auth))
        return web.json_response(
            {"sid": f"SM{len(self.calls):032d}", "status": "queued"}, status=201
        )

    # -- running --------------------------------------------------------------------
    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/telegram/bot{token}/{method}", self._telegram)
        app.router.add_post("/facebook/me/messages", self._facebook)
        app.router.add_post("/twilio/2010-04-01/Accounts/{sid}/Messages.json", self._twilio)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        self._loop.run_until_complete(site.start())
        self._ready.set()
        self._loop.run_forever()

    def start(self) -> FakePlatform:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def wait_for(
        self, check: Callable[[Call], bool], count: int = 1, timeout: float = 30
    ) -> list[Call]:
        """The calls that pass ``check``, once there are ``count`` of them (or the timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [call for call in list(self.calls) if check(call)]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.2)
