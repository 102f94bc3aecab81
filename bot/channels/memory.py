"""The channels' memories (redelivered update ids, last buttons per sender), local or Redis.

With one Rasa process the in-process memories of :mod:`bot.channels.choices` are enough. With
several processes behind a load balancer a redelivery, or the "2" that answers numbered
buttons, may reach another process than the first delivery: in production mode
(``BOT_MODE=production`` with ``BOT_REDIS_URL``) both memories live in Redis, keyed the same
way. A redelivery is recorded with ``SET key 1 NX EX ttl``: the first process to set the key
handles the update, every later one sees it taken, whatever process it is.

When Redis does not answer, an update is handled (a rare double answer is better than a
lost message: the lock store, on the same Redis, then refuses politely anyway) and the
buttons are forgotten (the reply is taken as text), each with a warning in the log.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from bot.channels.choices import ChoiceMemory, RecentIds, choice_number
from bot.config import Settings
from bot.redis_keys import CHANNELS_PREFIX, buttons_key

log = logging.getLogger(__name__)

KEY_PREFIX = CHANNELS_PREFIX
# Platforms redeliver within minutes (Telegram and Meta retry for up to a day at worst).
REDELIVERY_TTL_S = 24 * 3600
BUTTONS_TTL_S = 7 * 24 * 3600
REDIS_TIMEOUT_S = 1.0


class RedeliveryMemory(Protocol):
    """Which update ids were seen already."""

    async def first_time(self, update_id: str) -> bool:
        """Record ``update_id``; False when it was recorded before (a redelivery)."""
        ...


class ButtonMemory(Protocol):
    """The buttons of the last bot message to each sender."""

    async def remember(self, sender: str, buttons: Sequence[dict[str, Any]]) -> None:
        """The last bot message to ``sender`` offered these buttons (none: forget)."""
        ...

    async def resolve(self, sender: str, reply: str) -> str:
        """The payload of the button a numeric reply names, else the reply unchanged."""
        ...


class LocalRedelivery:
    """In-process memory of update ids (the embedded default: one Rasa process)."""

    def __init__(self, size: int = 10_000) -> None:
        self._ids = RecentIds(size)

    async def first_time(self, update_id: str) -> bool:
        return self._ids.first_time(update_id)


class LocalButtons:
    """In-process memory of the last buttons per sender."""

    def __init__(self, size: int = 10_000) -> None:
        self._memory = ChoiceMemory(size)

    async def remember(self, sender: str, buttons: Sequence[dict[str, Any]]) -> None:
        self._memory.remember(sender, buttons)

    async def resolve(self, sender: str, reply: str) -> str:
        return self._memory.resolve(sender, reply)


def _client(url: str) -> Any:
    import redis.asyncio

    return redis.asyncio.Redis.from_url(
        url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
    )


class RedisRedelivery:
    """Update ids in Redis, shared by every Rasa process (``SET NX`` with a TTL)."""

    def __init__(self, url: str, ttl_s: int = REDELIVERY_TTL_S, client: Any = None) -> None:
        self._redis = client if client is not None else _client(url)
        self._ttl_s = ttl_s

    async def first_time(self, update_id: str) -> bool:
        from redis.exceptions import RedisError

        try:
            created = await self._redis.set(
                f"{KEY_PREFIX}:seen:{update_id}", 1, nx=True, ex=self._ttl_s
            )
        except (RedisError, OSError) as exc:
            log.warning("redelivery memory unavailable, update handled (%s)", type(exc).__name__)
            return True
        return bool(created)


class RedisButtons:
    """The last buttons per sender in Redis, so that "2" works on any process."""

    def __init__(self, url: str, ttl_s: int = BUTTONS_TTL_S, client: Any = None) -> None:
        self._redis = client if client is not None else _client(url)
        self._ttl_s = ttl_s

    async def remember(self, sender: str, buttons: Sequence[dict[str, Any]]) -> None:
        from redis.exceptions import RedisError

        key = buttons_key(sender)
        payloads = [str(b.get("payload") or b.get("title") or "") for b in buttons]
        try:
            if payloads:
                await self._redis.set(key, json.dumps(payloads), ex=self._ttl_s)
            else:
                await self._redis.delete(key)
        except (RedisError, OSError) as exc:
            log.warning("button memory unavailable (%s)", type(exc).__name__)

    async def resolve(self, sender: str, reply: str) -> str:
        from redis.exceptions import RedisError

        number = choice_number(reply)
        if number is None:
            return reply
        try:
            raw = await self._redis.get(buttons_key(sender))
        except (RedisError, OSError) as exc:
            log.warning("button memory unavailable, reply read as text (%s)", type(exc).__name__)
            return reply
        payloads = json.loads(raw) if raw else []
        if 1 <= number <= len(payloads):
            return str(payloads[number - 1])
        return reply


def redis_url(environ: Mapping[str, str] | None = None) -> str | None:
    """The Redis of the channels' memories: set in production mode only."""
    settings = Settings.from_env(environ)
    return settings.redis_url if settings.production else None


def redelivery_memory(environ: Mapping[str, str] | None = None) -> RedeliveryMemory:
    """Redis in production mode, the process's memory otherwise."""
    url = redis_url(environ)
    return RedisRedelivery(url) if url else LocalRedelivery()


def button_memory(environ: Mapping[str, str] | None = None) -> ButtonMemory:
    """Redis in production mode, the process's memory otherwise."""
    url = redis_url(environ)
    return RedisButtons(url) if url else LocalButtons()
