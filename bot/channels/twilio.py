"""Twilio (WhatsApp and SMS): Rasa's channel with ``X-Twilio-Signature`` checked.

Rasa 3.6's ``TwilioInput`` accepts any POST, and sends replies with Twilio's blocking
client while the webhook waits. Here the signature is checked against the public URL of
the webhook (``TWILIO_WEBHOOK_URL``: behind a proxy the server sees another one), a
redelivered ``MessageSid`` is handled once, the webhook answers an empty TwiML document at
once, and buttons become numbered choices: a reply "2" stands for the second button of
the last bot message to that sender.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput as RasaTwilioInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.base import (
    ChoicesChannel,
    HttpSender,
    OnNewMessage,
    credentials_with,
    reject,
    webhook_routes,
)
from bot.channels.choices import numbered
from bot.channels.memory import ButtonMemory
from bot.channels.signatures import TWILIO_HEADER, twilio_signature_valid

DEFAULT_API_URL = "https://api.twilio.com"
BODY_MAX_CHARS = 1500  # WhatsApp through Twilio takes 1,600 characters per message
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def split_body(text: str, limit: int = BODY_MAX_CHARS) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut between words."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = rest.rfind(" ", 0, limit)
        cut = cut if cut > 0 else limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [*pieces, rest] if rest else pieces


class TwilioOutput(OutputChannel):
    """Sends replies with Twilio's Messages API (``POST .../Accounts/{sid}/Messages.json``)."""

    @classmethod
    def name(cls) -> str:
        return "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        twilio_number: str,
        api_url: str,
        sender: HttpSender,
        choices: ButtonMemory,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.twilio_number = twilio_number
        self.api_url = api_url.rstrip("/")
        self.sender = sender
        self.choices = choices

    async def _send(self, recipient_id: str, fields: dict[str, str]) -> None:
        await self.sender.post(
            f"{self.api_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json",
            data={"To": recipient_id, "From": self.twilio_number, **fields},
            auth=aiohttp.BasicAuth(self.account_sid, self.auth_token),
        )

    async def _send_text(self, recipient_id: str, text: str) -> None:
        for part in text.strip().split("\n\n"):
            for piece in split_body(part):
                await self._send(recipient_id, {"Body": piece})

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.choices.remember(recipient_id, [])
        await self._send_text(recipient_id, text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """The text, then "1. …\\n2. …" in the same message as its last paragraph."""
        parts = text.strip().split("\n\n")
        for part in parts[:-1]:
            await self._send_text(recipient_id, part)
        for piece in split_body(numbered(parts[-1], buttons)):
            await self._send(recipient_id, {"Body": piece})
        await self.choices.remember(recipient_id, buttons)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._send(recipient_id, {"MediaUrl": image})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        if isinstance(json_message.get("text"), str):
            await self._send_text(recipient_id, json_message["text"])


def form_params(request: Request) -> list[tuple[str, str]]:
    """Every parameter of a form POST, blank ones included, in order."""
    if "application/x-www-form-urlencoded" in request.headers.get("Content-Type", ""):
        body = (request.body or b"").decode("utf-8", "replace")
        return parse_qsl(body, keep_blank_values=True)
    form = request.form or {}
    return [(name, value) for name, values in form.items() for value in values]


class TwilioInput(ChoicesChannel, RasaTwilioInput):
    """``bot.channels.twilio.TwilioInput``: account_sid, auth_token, twilio_number, ..."""

    @classmethod
    def name(cls) -> str:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        given = credentials_with(cls, credentials, "auth_token")
        return cls(
            given.get("account_sid") or "",
            given["auth_token"],
            given.get("twilio_number") or "",
            given.get("webhook_url") or None,
            given.get("api_url") or DEFAULT_API_URL,
        )

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        twilio_number: str,
        webhook_url: str | None = None,
        api_url: str = DEFAULT_API_URL,
    ) -> None:
        super().__init__(account_sid, auth_token, twilio_number, debug_mode=False)
        self.webhook_url = webhook_url
        self.api_url = api_url
        self.keep_state(self.name())

    def get_output_channel(self) -> OutputChannel:
        return TwilioOutput(
            self.account_sid or "",
            self.auth_token or "",
            self.twilio_number or "",
            self.api_url,
            self.sender,
            self.choices,
        )

    def public_url(self, request: Request) -> str:
        """The URL Twilio signed: the configured public one, else what this server saw."""
        if self.webhook_url:
            query = f"?{request.query_string}" if request.query_string else ""
            return self.webhook_url.split("?")[0] + query
        return str(request.url)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return webhook_routes(
            self.name(), lambda request: self._receive(request, on_new_message), self.sender.close
        )

    async def _receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        signature = request.headers.get(TWILIO_HEADER)
        if not signature:
            return reject(self.name(), 401, f"no {TWILIO_HEADER}")
        # Blank values too: Twilio signs every parameter, an empty Body (a photo) included,
        # which Sanic's request.form drops (found by tests/e2e/test_fuzz.py).
        params = form_params(request)
        form: dict[str, str] = {}
        for name, value in params:
            form.setdefault(name, value)
        if not twilio_signature_valid(
            self.auth_token or "", self.public_url(request), params, signature
        ):
            return reject(self.name(), 403, f"wrong {TWILIO_HEADER}")
        sender, text = form.get("From"), form.get("Body")
        message_sid = form.get("MessageSid") or form.get("SmsMessageSid")
        if sender and text is not None and message_sid:
            if await self.recent.first_time(f"twilio:{message_sid}"):
                self.background.run(self._handle(sender, text, on_new_message))
        return response.text(EMPTY_TWIML, content_type="text/xml")

    async def _handle(self, sender: str, text: str, on_new_message: OnNewMessage) -> None:
        # Some carriers turn "@" into "¡" in SMS (as Rasa's channel notes).
        text = await self.choices.resolve(sender, text.replace("¡", "@"))
        await on_new_message(
            UserMessage(text, self.get_output_channel(), sender, input_channel=self.name())
        )
