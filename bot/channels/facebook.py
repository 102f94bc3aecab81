"""Facebook Messenger: Rasa's channel with ``X-Hub-Signature-256`` checked.

Rasa 3.6's ``FacebookInput`` checks only the older SHA-1 ``X-Hub-Signature`` header,
compares it in a way that leaks timing, answers 200 to a badly signed request, and sends
replies with a blocking HTTP client on the server's event loop. Here a request without a
valid SHA-256 signature is refused with 401/403, every event of a batch is handled once,
and replies go out through aiohttp to a configurable Graph API URL.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.facebook import FacebookInput as RasaFacebookInput
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
from bot.channels.signatures import FACEBOOK_HEADER, constant_time_equal, facebook_signature_valid

DEFAULT_API_URL = "https://graph.facebook.com/v19.0"
QUICK_REPLIES_MAX = 13  # Messenger's limits for quick replies
QUICK_REPLY_TITLE_MAX = 20


@dataclass(frozen=True)
class Incoming:
    """One user event of a webhook batch."""

    event_id: str
    sender_id: str
    text: str


def read_events(payload: dict[str, Any]) -> Iterator[Incoming]:
    """The text messages, quick replies and postbacks of a ``page`` webhook payload.

    Echoes of the page's own messages, deliveries, reads and attachments are skipped.
    The event id is the message ``mid`` (postbacks carry one too), else sender + time.
    """
    if payload.get("object") != "page":
        return
    for entry in payload.get("entry") or []:
        for event in (entry or {}).get("messaging") or []:
            sender = str((event.get("sender") or {}).get("id", ""))
            message, postback = event.get("message") or {}, event.get("postback") or {}
            if not sender or message.get("is_echo"):
                continue
            quick = (message.get("quick_reply") or {}).get("payload")
            text = quick or message.get("text") or postback.get("payload")
            if not isinstance(text, str) or not text:
                continue
            mid = message.get("mid") or postback.get("mid")
            event_id = str(mid) if mid else f"{sender}:{event.get('timestamp', '')}"
            yield Incoming(event_id, sender, text)


def fits_quick_replies(buttons: Iterable[dict[str, Any]]) -> bool:
    buttons = list(buttons)
    return len(buttons) <= QUICK_REPLIES_MAX and all(
        len(str(b.get("title", ""))) <= QUICK_REPLY_TITLE_MAX for b in buttons
    )


class FacebookOutput(OutputChannel):
    """Sends replies with the Send API (``POST {api_url}/me/messages``)."""

    @classmethod
    def name(cls) -> str:
        return "facebook"

    def __init__(
        self, page_access_token: str, api_url: str, sender: HttpSender, choices: ButtonMemory
    ) -> None:
        self.page_access_token = page_access_token
        self.api_url = api_url.rstrip("/")
        self.sender = sender
        self.choices = choices

    async def _send(self, recipient_id: str, message: dict[str, Any]) -> None:
        await self.sender.post(
            f"{self.api_url}/me/messages",
            params={"access_token": self.page_access_token},
            json={
                "recipient": {"id": recipient_id},
                "messaging_type": "RESPONSE",
                "message": message,
            },
        )

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.choices.remember(recipient_id, [])
        for part in text.strip().split("\n\n"):
            await self._send(recipient_id, {"text": part})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Quick replies; when titles are too long for them, numbered choices with number chips."""
        parts = text.strip().split("\n\n")
        for part in parts[:-1]:
            await self._send(recipient_id, {"text": part})
        last = parts[-1]
        if fits_quick_replies(buttons):
            titles = [str(b["title"]) for b in buttons]
        else:
            last = numbered(last, buttons)
            titles = [str(n) for n in range(1, len(buttons) + 1)]
        quick = [
            {"content_type": "text", "title": title, "payload": str(b["payload"])}
            for title, b in zip(titles, buttons, strict=True)
        ][:QUICK_REPLIES_MAX]
        await self._send(recipient_id, {"text": last, "quick_replies": quick})
        await self.choices.remember(recipient_id, buttons)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        attachment = {"type": "image", "payload": {"url": image, "is_reusable": True}}
        await self._send(recipient_id, {"attachment": attachment})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self._send(recipient_id, json_message)


class FacebookInput(ChoicesChannel, RasaFacebookInput):
    """``bot.channels.facebook.FacebookInput``: verify, secret, page-access-token, api_url."""

    @classmethod
    def name(cls) -> str:
        return "facebook"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        given = credentials_with(cls, credentials, "secret")
        return cls(
            given.get("verify") or "",
            given["secret"],
            given.get("page-access-token") or "",
            given.get("api_url") or DEFAULT_API_URL,
        )

    def __init__(
        self, fb_verify: str, fb_secret: str, fb_access_token: str, api_url: str = DEFAULT_API_URL
    ) -> None:
        super().__init__(fb_verify, fb_secret, fb_access_token)
        self.api_url = api_url
        self.keep_state(self.name())

    def get_output_channel(self) -> OutputChannel:
        return FacebookOutput(self.fb_access_token, self.api_url, self.sender, self.choices)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = webhook_routes(
            self.name(), lambda request: self._receive(request, on_new_message), self.sender.close
        )

        @webhook.route("/webhook", methods=["GET"])
        async def subscribe(request: Request) -> HTTPResponse:
            """Meta's subscription check: echo the challenge when the verify token matches."""
            token = request.args.get("hub.verify_token") or ""
            if request.args.get("hub.mode") != "subscribe" or not self.fb_verify:
                return reject(self.name(), 403, "bad subscription request")
            if not constant_time_equal(token, self.fb_verify):
                return reject(self.name(), 403, "wrong verify token")
            return response.text(request.args.get("hub.challenge") or "")

        return webhook

    async def _receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        signature = request.headers.get(FACEBOOK_HEADER)
        if not signature:
            return reject(self.name(), 401, f"no {FACEBOOK_HEADER}")
        if not facebook_signature_valid(self.fb_secret, request.body or b"", signature):
            return reject(self.name(), 403, f"wrong {FACEBOOK_HEADER}")
        try:
            payload = json.loads(request.body)
        except ValueError:
            return response.text("bad request", status=400)
        if not isinstance(payload, dict):
            return response.text("bad request", status=400)
        for event in read_events(payload):
            if await self.recent.first_time(f"facebook:{event.event_id}"):
                self.background.run(self._handle(event, on_new_message))
        return response.text("EVENT_RECEIVED")

    async def _handle(self, event: Incoming, on_new_message: OnNewMessage) -> None:
        text = await self.choices.resolve(event.sender_id, event.text)
        await on_new_message(
            UserMessage(text, self.get_output_channel(), event.sender_id, input_channel=self.name())
        )
