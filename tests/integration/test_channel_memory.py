"""The channels' Redis memories on the real Redis: shared by every process, with a TTL."""

from __future__ import annotations

import uuid

import pytest
import redis

from bot.channels.memory import (
    LocalRedelivery,
    RedisButtons,
    RedisRedelivery,
    button_memory,
    redelivery_memory,
)

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(autouse=True)
def redis_server() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis: {exc}")


async def test_a_redelivery_to_another_process_is_seen() -> None:
    update = f"telegram:{uuid.uuid4().hex}"
    first_process, second_process = RedisRedelivery(REDIS_URL), RedisRedelivery(REDIS_URL)
    assert await first_process.first_time(update)
    assert not await second_process.first_time(update)
    ttl = redis.Redis.from_url(REDIS_URL).ttl(f"crossborder:channels:seen:{update}")
    assert 0 < ttl <= 24 * 3600


async def test_buttons_remembered_by_one_process_resolve_on_another() -> None:
    sender = f"whatsapp:+32470{uuid.uuid4().int % 10**6:06d}"
    buttons = [{"title": "Oui", "payload": "/affirm"}, {"title": "Non", "payload": "/deny"}]
    await RedisButtons(REDIS_URL).remember(sender, buttons)
    other = RedisButtons(REDIS_URL)
    assert await other.resolve(sender, "2") == "/deny"
    assert await other.resolve(sender, "bonjour") == "bonjour"
    await other.remember(sender, [])
    assert await other.resolve(sender, "2") == "2"


async def test_redis_down_lets_the_update_through() -> None:
    down = RedisRedelivery("redis://127.0.0.1:9/0")
    assert await down.first_time("x") and await down.first_time("x")


def test_production_mode_picks_redis_and_the_default_stays_local() -> None:
    env = {"BOT_MODE": "production", "BOT_REDIS_URL": REDIS_URL}
    assert isinstance(redelivery_memory(env), RedisRedelivery)
    assert isinstance(button_memory(env), RedisButtons)
    assert isinstance(redelivery_memory({"BOT_REDIS_URL": REDIS_URL}), LocalRedelivery)
