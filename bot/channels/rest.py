"""The REST webhook: Rasa's, made strict.

Rasa 3.6's ``RestInput`` takes the caller's ``sender`` as the conversation id, falls back to
one shared ``"default"`` conversation without it, answers 500 to a JSON body that is not an
object, and lets the caller choose the ``input_channel`` the conversation records (where a
consultant's takeover reply is then sent). Here:

- the body must be a JSON object with a ``sender`` (1 to 128 printable characters) and a
  text ``message``; anything else is 400;
- the conversation records ``rest`` as its channel, whatever the body says;
- a message for a conversation held on another channel (the website's socket.io session, a
  Telegram chat, a Messenger or WhatsApp user) is refused with 403 before it is processed
  (:class:`bot.errors.ForeignConversation`, raised by the server's handler);
- with ``BOT_REST_SECRET`` set, a request must carry ``Authorization: Bearer <secret>``
  (401 otherwise). Production mode switches the channel off unless the secret is set
  (:func:`bot.channels.config.production_channels`).

Rasa's ``?stream=true`` mode is not offered.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.base import OnNewMessage, reject
from bot.channels.clients import ClientMarker
from bot.config import Settings
from bot.errors import ForeignConversation

log = logging.getLogger(__name__)

SENDER_MAX_CHARS = 128
# Set by the load balancer in production mode, the same on a request it sends again after
# the process it reached died (bot.server.patches.replaying_handler).
REQUEST_ID_HEADER = "X-Request-Id"
REQUEST_ID_MAX_CHARS = 64


def request_id(value: str | None) -> str | None:
    """The message id a request carries, when it looks like one (else Rasa makes one)."""
    if value and len(value) <= REQUEST_ID_MAX_CHARS and value.isprintable() and " " not in value:
        return value
    return None


def valid_sender(value: object) -> bool:
    """A conversation id a REST caller may use: 1 to 128 printable characters."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= SENDER_MAX_CHARS
        and value.isprintable()
        and value.strip() == value
    )


def _bad_request(reason: str) -> HTTPResponse:
    return response.json({"error": reason}, status=400)


def read_body(raw: bytes) -> dict[str, Any] | str:
    """The request as ``{sender, message, metadata}``, or why it is refused."""
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        return "the body must be JSON"
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    if not valid_sender(body.get("sender")):
        return f"sender must be a text of 1 to {SENDER_MAX_CHARS} printable characters"
    if not isinstance(body.get("message"), str):
        return "message must be a text"
    metadata = body.get("metadata")
    return {
        "sender": body["sender"],
        "message": body["message"],
        "metadata": metadata if isinstance(metadata, dict) else {},
    }


class RestInput(RasaRestInput):
    """``bot.channels.rest.RestInput`` in credentials.yml; its name stays ``rest``."""

    def __init__(self, secret: str | None = None) -> None:
        self.secret = secret
        self.clients = ClientMarker.from_env()

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RestInput:
        secret = Settings.from_env().rest_secret
        return cls(str(secret) if secret else None)

    def _authorised(self, request: Request) -> bool:
        if not self.secret:
            return True
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {self.secret}".encode())

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint("crossborder_rest", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._authorised(request):
                return reject("rest", 401, "missing or wrong secret")
            body = read_body(request.body)
            if isinstance(body, str):
                return _bad_request(body)
            collector = CollectingOutputChannel()
            message = UserMessage(
                body["message"],
                collector,
                body["sender"],
                input_channel=self.name(),
                metadata=self.clients.mark(body["metadata"], request),
                message_id=request_id(request.headers.get(REQUEST_ID_HEADER)),
            )
            try:
                await on_new_message(message)
            except ForeignConversation as exc:
                log.warning("rest: %s; refused", exc)
                return response.json({"error": "this conversation is not yours"}, status=403)
            except Exception:  # as Rasa's: logged (without the text), the replies so far
                log.exception("rest: handling a message failed")
            return response.json(collector.messages)

        return webhook
