"""A small client for the two endpoints of Rasa's HTTP API that the live takeover uses.

- ``GET /conversations/{id}/tracker?include_events=NONE``: the conversation's state (slots,
  ``paused``, latest input channel, active loop) without its events.
- ``POST /conversations/{id}/tracker/events?output_channel=latest&execute_side_effects=true``:
  append events under the conversation's lock; the ``bot`` events among them are sent to
  the channel the candidate last wrote from (socket.io room, Telegram chat...).

The API needs its token (``RASA_API_TOKEN``), given as the ``token`` query parameter as
Rasa 3.6 expects it. Every failure (no token, connection refused, timeout, an HTTP error)
becomes one ``RasaApiUnavailable`` with the cause chained; the token never appears in it.
"""

from __future__ import annotations

import asyncio
import logging
import urllib.parse
from typing import Any

import aiohttp

from bot.config import Settings
from bot.errors import RasaApiUnavailable

log = logging.getLogger(__name__)


def conversation_path(sender_id: str) -> str:
    """The URL path of a conversation: Sanic does not decode %2B or %3A, so ":" and "+" stay."""
    return f"/conversations/{urllib.parse.quote(sender_id, safe=':+')}"


async def tracker_state(settings: Settings, sender_id: str) -> dict[str, Any]:
    """The conversation's current state, events left out."""
    return await _call(settings, "GET", sender_id, "/tracker", {"include_events": "NONE"})


async def append_events(
    settings: Settings, sender_id: str, events: list[dict[str, Any]]
) -> dict[str, Any]:
    """Append ``events``, sending its bot messages to the candidate's latest channel."""
    params = {
        "include_events": "NONE",
        "output_channel": "latest",
        "execute_side_effects": "true",
    }
    return await _call(settings, "POST", sender_id, "/tracker/events", params, events)


async def _call(
    settings: Settings,
    method: str,
    sender_id: str,
    endpoint: str,
    params: dict[str, str],
    body: Any = None,
) -> dict[str, Any]:
    token = settings.rasa_api_token
    if not token:
        raise RasaApiUnavailable(sender_id, "RASA_API_TOKEN is not set: Rasa's HTTP API is off")
    url = settings.rasa_api_url + conversation_path(sender_id) + endpoint
    timeout = aiohttp.ClientTimeout(total=settings.handoff.rasa_api_timeout_s)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.request(
                method, url, params={**params, "token": str(token)}, json=body
            ) as response:
                if response.status >= 400:
                    raise RasaApiUnavailable(
                        sender_id, f"Rasa answered {response.status}", response.status
                    )
                data = await response.json(content_type=None)
    except asyncio.TimeoutError as exc:
        raise RasaApiUnavailable(sender_id, "Rasa did not answer in time") from exc
    except aiohttp.ClientError as exc:
        raise RasaApiUnavailable(sender_id, f"cannot reach Rasa ({type(exc).__name__})") from exc
    except ValueError as exc:  # not JSON
        raise RasaApiUnavailable(sender_id, "Rasa's answer is not JSON") from exc
    if not isinstance(data, dict):
        raise RasaApiUnavailable(sender_id, "Rasa's answer is not a conversation state")
    log.debug("rasa api %s %s: ok", method, endpoint)
    return data
