"""The event consumer's process (``python -m bot.events``, started by ``make run-prod``).

Its settings are production mode's (:class:`~bot.ops.production_config.ProductionSettings`):
``BOT_RABBITMQ_URL``, ``BOT_EVENTS_QUEUE``, ``BOT_EVENTS_EXCHANGE``, ``DATABASE_URL`` and
``BOT_EVENTS_PORT`` (its health endpoint, on 127.0.0.1), as in ``.env.example``.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from bot import log
from bot.events.consumer import Consumer, serve_health
from bot.events.projection import projection_for
from bot.ops.production_config import ProductionSettings
from bot.storage.db import make_engine

logger = logging.getLogger("bot.events")


async def consume(settings: ProductionSettings) -> None:
    """Feed the console from RabbitMQ until SIGTERM or SIGINT."""
    engine = make_engine(settings.base.database_url)
    consumer = Consumer(
        settings.rabbitmq_url,
        settings.events_queue,
        engine,
        projection_for(engine, settings.base),
        exchange=settings.events_exchange,
    )
    server = await serve_health(consumer, "127.0.0.1", settings.events_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    logger.info("event consumer started, health on port %d", settings.events_port)
    try:
        await consumer.run(stop)
    finally:
        server.close()
        engine.dispose()
        logger.info("event consumer stopped")


def main() -> int:
    log.setup()
    try:
        settings = ProductionSettings.from_env()
    except ValueError as exc:
        logger.error("event consumer cannot start: %s", exc)
        return 1
    asyncio.run(consume(settings))
    return 0
