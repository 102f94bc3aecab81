"""What the three webhook channels share: their credentials and routes, background
processing, rejections, HTTP sending."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

import aiohttp
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.memory import ButtonMemory, RedeliveryMemory, button_memory, redelivery_memory

log = logging.getLogger(__name__)

SEND_TIMEOUT_S = 10
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def credentials_with(
    channel: type[InputChannel], credentials: dict[str, Any] | None, required: str
) -> dict[str, Any]:
    """The channel's credentials from credentials.yml; Rasa's "missing credentials" error
    when ``required`` (the secret that verifies the platform's requests) is not set."""
    if not credentials or not credentials.get(required):
        channel.raise_missing_credentials_exception()
    assert credentials is not None  # raise_missing_credentials_exception raised otherwise
    return credentials


def webhook_routes(
    channel: str,
    receive: Callable[[Request], Awaitable[HTTPResponse]],
    close: Callable[[], Awaitable[None]],
) -> Blueprint:
    """A channel's routes: ``GET /`` answers ok (as Rasa's channels do) and ``POST
    /webhook`` hands the platform's request to ``receive``; ``close`` runs when the server
    stops (the channel's HTTP session)."""
    webhook = Blueprint(f"crossborder_{channel}", __name__)

    @webhook.route("/", methods=["GET"])
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @webhook.route("/webhook", methods=["POST"])
    async def receive_update(request: Request) -> HTTPResponse:
        return await receive(request)

    @webhook.listener("after_server_stop")
    async def stop(*_: Any) -> None:
        await close()

    return webhook


class Background:
    """Runs the bot after the webhook has been answered.

    Platforms retry a webhook that is slow to answer (Meta after 20 s, Telegram and
    Twilio sooner), which would deliver the same message again: the handler checks the
    request, records the update id and answers at once; the conversation goes on here.
    """

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self._tasks: set[asyncio.Task[None]] = set()

    def run(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(self._guard(work))
        self._tasks.add(task)  # keep a reference until it is done
        task.add_done_callback(self._tasks.discard)

    async def _guard(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except Exception:  # logged without the message: it may hold personal data
            log.exception("%s: handling an update failed", self.channel)

    async def drain(self) -> None:
        """Wait for the work in progress (tests, shutdown)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


def reject(channel: str, status: int, reason: str) -> HTTPResponse:
    """Refuse a webhook request that failed verification; the log says why, not what."""
    log.warning("%s: webhook request rejected (%s)", channel, reason)
    return response.text("forbidden" if status == 403 else "unauthorized", status=status)


class HttpSender:
    """One aiohttp client session for a channel's outgoing calls to its platform."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=SEND_TIMEOUT_S)
            )
        return self._session

    async def post(
        self,
        url: str,
        *,
        json: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        auth: aiohttp.BasicAuth | None = None,
    ) -> int:
        """POST to the platform; returns the status (0 when it could not be reached).

        A failure is logged with the status only: the URL may carry an access token.
        """
        try:
            async with self._client().post(
                url, json=json, data=data, params=params, auth=auth
            ) as reply:
                if reply.status >= 300:
                    log.warning("%s: the platform answered %s", self.channel, reply.status)
                return reply.status
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            log.warning(
                "%s: the platform could not be reached (%s)", self.channel, type(exc).__name__
            )
            return 0

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


class ChoicesChannel:
    """What a channel whose buttons are numbered choices keeps between requests: the
    updates already handled, the buttons last offered to each sender, the work in progress
    and one HTTP session to its platform (Messenger, WhatsApp through Twilio)."""

    recent: RedeliveryMemory
    choices: ButtonMemory
    background: Background
    sender: HttpSender

    def keep_state(self, channel: str) -> None:
        self.recent = redelivery_memory()
        self.choices = button_memory()
        self.background = Background(channel)
        self.sender = HttpSender(channel)
