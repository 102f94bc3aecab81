"""Telegram: Rasa's channel with the webhook secret token checked and no start-up calls.

Rasa 3.6's ``TelegramInput`` calls Telegram's setWebhook while the server starts (start-up
fails without network) and "verifies" each update by asking Telegram for the bot's name,
which any sender passes. Here the update must carry the ``X-Telegram-Bot-Api-Secret-Token``
header with the secret given to setWebhook (README: Telegram), and the webhook is
registered once by hand.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.bot.api import TelegramAPIServer
from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput as RasaTelegramOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.base import Background, OnNewMessage, credentials_with, reject, webhook_routes
from bot.channels.choices import numbered
from bot.channels.memory import redelivery_memory
from bot.channels.signatures import TELEGRAM_HEADER, telegram_secret_valid

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.telegram.org"
CALLBACK_DATA_MAX_BYTES = 64  # Telegram's limit for an inline button's payload


@dataclass(frozen=True)
class Incoming:
    """What an update asks the bot: who, what text, and the button click to acknowledge."""

    chat_id: str
    text: str
    callback_id: str | None = None


def read_update(update: dict[str, Any]) -> Incoming | None:
    """The user's text (or clicked button payload) in an update; ``None`` for anything else."""
    callback = update.get("callback_query")
    if isinstance(callback, dict) and isinstance(callback.get("message"), dict):
        chat = callback["message"].get("chat") or {}
        if "id" in chat and isinstance(callback.get("data"), str):
            return Incoming(str(chat["id"]), callback["data"], str(callback.get("id", "")))
    message = update.get("message") or update.get("edited_message")
    if isinstance(message, dict) and isinstance(message.get("text"), str):
        chat = message.get("chat") or {}
        if "id" in chat:
            return Incoming(str(chat["id"]), message["text"])
    return None


class TelegramOutput(RasaTelegramOutput):
    """Rasa's Telegram output, against a configurable Bot API server (tests: a local fake)."""

    def __init__(self, access_token: str, api_url: str = DEFAULT_API_URL) -> None:
        Bot.__init__(self, access_token, server=TelegramAPIServer.from_base(api_url))

    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: list[dict[str, Any]],
        button_type: str | None = "vertical",
        **kwargs: Any,
    ) -> None:
        """One button per row; numbered choices when a payload is too long for Telegram."""
        if any(len(str(b.get("payload", "")).encode()) > CALLBACK_DATA_MAX_BYTES for b in buttons):
            await self.send_text_message(recipient_id, numbered(text, buttons))
            return
        await super().send_text_with_buttons(recipient_id, text, buttons, button_type, **kwargs)


class TelegramInput(RasaTelegramInput):
    """``bot.channels.telegram.TelegramInput`` in credentials: token, secret_token, api_url."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        given = credentials_with(cls, credentials, "access_token")
        return cls(
            given["access_token"],
            given.get("secret_token") or "",
            given.get("api_url") or DEFAULT_API_URL,
        )

    def __init__(
        self, access_token: str, secret_token: str, api_url: str = DEFAULT_API_URL
    ) -> None:
        super().__init__(access_token, verify=None, webhook_url=None, debug_mode=False)
        self.secret_token = secret_token
        self.api_url = api_url
        self.recent = redelivery_memory()
        self.background = Background(self.name())
        self._output: TelegramOutput | None = None

    def get_output_channel(self) -> TelegramOutput:  # type: ignore[override]
        """One output for the channel (one HTTP session); no setWebhook call."""
        if self._output is None:
            self._output = TelegramOutput(self.access_token, self.api_url)
        return self._output

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return webhook_routes(
            self.name(), lambda request: self._receive(request, on_new_message), self._close
        )

    async def _close(self) -> None:
        if self._output is not None:
            await self._output.close()

    async def _receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        secret = request.headers.get(TELEGRAM_HEADER)
        if secret is None:
            return reject(self.name(), 401, "no secret token")
        if not telegram_secret_valid(self.secret_token, secret):
            return reject(self.name(), 403, "wrong secret token")
        try:
            update = json.loads(request.body)
        except ValueError:
            return response.text("bad request", status=400)
        if not isinstance(update, dict) or "update_id" not in update:
            return response.text("bad request", status=400)
        if not await self.recent.first_time(f"telegram:{update['update_id']}"):
            return response.text("duplicate")
        incoming = read_update(update)
        if incoming is not None:
            self.background.run(self._handle(incoming, on_new_message))
        return response.text("success")

    async def _handle(self, incoming: Incoming, on_new_message: OnNewMessage) -> None:
        output = self.get_output_channel()
        if incoming.callback_id:
            try:  # stops the spinner on the clicked button; the answer matters more
                await output.answer_callback_query(incoming.callback_id)
            except (TelegramAPIError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
                log.warning("telegram: answerCallbackQuery failed (%s)", type(exc).__name__)
        await on_new_message(
            UserMessage(incoming.text, output, incoming.chat_id, input_channel=self.name())
        )
