"""The website's socket.io channel: Rasa's, with session persistence that works.

Rasa 3.6.21 calls ``sio.enter_room(...)`` without ``await``; with the python-socketio 5.18
that Rasa's pins install it is a coroutine, so the browser never joins the room of its
session and, with ``session_persistence``, never receives an answer (the server only logs
"coroutine 'AsyncServer.enter_room' was never awaited"). This subclass replaces the two
handlers that use sessions and, while at it, accepts only session ids long enough to be
random, and messages only for the session the connection asked for.

Its output (:class:`WebsiteOutput`) tells the chat widget which language each message is
written in, so that the page marks it with ``lang`` and a screen reader pronounces a Dutch
answer on the French page as Dutch (WCAG 3.1.2, language of parts). The language comes
from the response's ``condition`` on the ``language`` slot (every domain response has one
per language) or from a ``language`` an action passes to ``utter_message``
(:func:`bot.language.codes.reply_language`); a message whose
lines are not all in that language says so with ``metadata: {line_languages: [...]}``
(one code per line: the bilingual answer to a third language, an offer's title as
published on a card).

In production mode (``BOT_MODE=production`` with ``BOT_REDIS_URL``, several Rasa processes)
the rooms are shared through Redis (python-socketio's ``AsyncRedisManager``): a browser's
socket lives in one process, but a consultant's message, appended through Rasa's HTTP API,
may reach any of them. A message is delivered to the sockets of its own process first, then
published for the others, so a Redis outage loses only what was for another process.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput
from sanic import Blueprint
from socketio import AsyncRedisManager, AsyncServer

from bot.channels.base import OnNewMessage
from bot.channels.clients import ClientMarker
from bot.channels.memory import KEY_PREFIX, redis_url
from bot.config import Settings
from bot.language.codes import SUPPORTED, reply_language

log = logging.getLogger(__name__)

# The Redis channel the Rasa processes publish socket.io messages on.
ROOMS_CHANNEL = f"{KEY_PREFIX}:socketio"
# The listener waits on Redis for as long as it takes; connecting must not.
REDIS_CONNECT_TIMEOUT_S = 1.0

# A UUID (with or without dashes) or a longer random token: never "1" or "test".
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{32,128}$")


def valid_session_id(value: object) -> bool:
    """True for a session id that can be random and unguessable (32+ URL-safe characters)."""
    return isinstance(value, str) and bool(SESSION_ID.match(value))


def _line_languages(details: Mapping[str, Any], line_count: int) -> list[str] | None:
    metadata = details.get("metadata")
    lines = metadata.get("line_languages") if isinstance(metadata, dict) else None
    if not isinstance(lines, Sequence) or len(lines) != line_count:
        return None
    return [str(code) if code in SUPPORTED else "" for code in lines]


def website_parts(text: str, details: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The messages the widget gets for one text: Rasa's parts (split at blank lines),
    each with its ``language`` and, when the text has them, its ``line_languages``."""
    language = reply_language(details)
    lines = _line_languages(details, len(text.strip().split("\n")))
    parts: list[dict[str, Any]] = []
    first_line = 0
    for part in text.strip().split("\n\n") or [text]:
        message: dict[str, Any] = {"text": part}
        if language:
            message["language"] = language
        count = len(part.split("\n"))
        if lines:
            message["line_languages"] = lines[first_line : first_line + count]
        first_line += count + 1  # the blank line between two parts
        parts.append(message)
    return parts


class WebsiteOutput(SocketIOOutput):
    """Rasa's socket.io output, with the language of every message (:func:`website_parts`)."""

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for message in website_parts(text, kwargs):
            await self._send_message(recipient_id, message)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        messages = website_parts(text, kwargs)
        for message in messages:
            message["quick_replies"] = []
        # Rasa's format: all the buttons with the last part.
        messages[-1]["quick_replies"] = [
            {"content_type": "text", "title": button["title"], "payload": button["payload"]}
            for button in buttons
        ]
        for message in messages:
            await self._send_message(recipient_id, message)


class SocketIOInput(RasaSocketIOInput):
    """``bot.channels.socketio.SocketIOInput`` in credentials, same settings as Rasa's."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None
        # A socket.io message (long-polling body or websocket frame) no larger than a request.
        sio.eio.max_http_buffer_size = Settings.from_env().max_request_bytes
        self.clients = ClientMarker.from_env()
        url = redis_url()
        if url:
            share_rooms(sio, url)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: dict[str, Any] | None) -> None:
            requested = (data or {}).get("session_id")
            session_id = requested if valid_session_id(requested) else uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=self.namespace)
                if inspect.isawaitable(joined):  # a coroutine since python-socketio 5.10
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: dict[str, Any]) -> None:
            if not isinstance(data, dict):
                return
            if self.session_persistence:
                sender_id = data.get("session_id")
                # Only the session this connection asked for: a client cannot write into
                # another conversation without having requested it first.
                if not valid_session_id(sender_id) or sender_id not in sio.rooms(
                    sid, namespace=self.namespace
                ):
                    log.warning("socketio: message for a session not requested; ignored")
                    return
            else:
                sender_id = sid
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                metadata = json.loads(metadata)
            # The connection's handshake request: its client's key goes into the metadata.
            environ = sio.get_environ(sid, namespace=self.namespace) or {}
            message = UserMessage(
                str(data.get("message", "")),
                WebsiteOutput(sio, self.bot_message_evt),
                sender_id,
                input_channel=self.name(),
                metadata=self.clients.mark(
                    metadata if isinstance(metadata, dict) else {}, environ.get("sanic.request")
                ),
            )
            await on_new_message(message)

        return webhook

    def get_output_channel(self) -> SocketIOOutput | None:
        """The output for messages appended through the HTTP API (a consultant's)."""
        output = super().get_output_channel()
        return WebsiteOutput(self.sio, self.bot_message_evt) if output is not None else None


def share_rooms(sio: AsyncServer, url: str) -> None:
    """Make ``sio`` deliver room messages through Redis to every process's sockets.

    Called before the server has accepted any connection: python-socketio starts the
    manager (and its Redis listener) on the first one.
    """
    manager = AsyncRedisManager(
        url,
        channel=ROOMS_CHANNEL,
        redis_options={"socket_connect_timeout": REDIS_CONNECT_TIMEOUT_S},
    )
    manager.set_server(sio)
    sio.manager = manager
