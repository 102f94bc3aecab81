"""The Redis keys of production mode that name a conversation, and their erasure.

Rasa's lock store (``lock_store: key_prefix``) keeps each conversation's lock under
``crossborder:lock:<sender id>`` and which process holds each ticket under
``crossborder:lock-holders:<sender id>`` (:mod:`bot.server.redis_lock`), and the channels
keep the last buttons sent to a sender under ``crossborder:channels:buttons:<sender id>``
(:mod:`bot.channels.memory`). A sender id may be a phone number (WhatsApp, SMS): a privacy
erasure deletes the three keys (:func:`forget_conversations`). The other keys name no
conversation: a channel's update ids (``crossborder:channels:seen:<update id>``) and
socket.io's room messages (publish/subscribe, nothing stored).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

log = logging.getLogger(__name__)

# The lock store's ``key_prefix``: Rasa prepends ``<prefix>:lock:`` to the conversation id.
PREFIX = "crossborder"
CHANNELS_PREFIX = f"{PREFIX}:channels"
TIMEOUT_S = 2.0


def lock_key(sender_id: str) -> str:
    """Where Rasa's Redis lock store keeps this conversation's lock."""
    return f"{PREFIX}:lock:{sender_id}"


def lock_holders_key(sender_id: str) -> str:
    """Where the processes holding this conversation's lock tickets are recorded."""
    return f"{PREFIX}:lock-holders:{sender_id}"


def buttons_key(sender_id: str) -> str:
    """Where the channels keep the last buttons sent to this sender."""
    return f"{CHANNELS_PREFIX}:buttons:{sender_id}"


def conversation_keys(sender_id: str) -> list[str]:
    """Every key that holds or names this conversation."""
    return [lock_key(sender_id), lock_holders_key(sender_id), buttons_key(sender_id)]


def forget_conversations(redis_url: str, sender_ids: Sequence[str]) -> int:
    """Delete the Redis keys of these conversations; how many existed (blocking).

    Raises:
        redis.RedisError: Redis did not answer (the caller says the erasure is incomplete).
    """
    import redis

    keys = [key for sender in sender_ids for key in conversation_keys(sender)]
    if not keys:
        return 0
    client = redis.Redis.from_url(
        redis_url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S
    )
    try:
        deleted = 0
        for start in range(0, len(keys), 500):
            deleted += int(client.delete(*keys[start : start + 500]))
        return deleted
    finally:
        client.close()
