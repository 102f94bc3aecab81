"""``python -m bot.events``: the event consumer of production mode (``make run-prod``).

Settings: ``BOT_RABBITMQ_URL``, ``BOT_EVENTS_QUEUE``, ``BOT_EVENTS_EXCHANGE``,
``DATABASE_URL``, ``BOT_EVENTS_PORT`` (health endpoint on 127.0.0.1), as in ``.env.example``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal

from bot import log
from bot.config import Settings
from bot.events.consumer import DEFAULT_EXCHANGE, Consumer, serve_health
from bot.events.projection import projection_for
from bot.storage.db import make_engine

logger = logging.getLogger("bot.events")


async def main() -> None:
    log.setup()
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    consumer = Consumer(
        os.environ.get("BOT_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"),
        os.environ.get("BOT_EVENTS_QUEUE", "crossborder_events"),
        engine,
        projection_for(engine),
        exchange=os.environ.get("BOT_EVENTS_EXCHANGE", DEFAULT_EXCHANGE),
    )
    port = int(os.environ.get("BOT_EVENTS_PORT", "5180"))
    server = await serve_health(consumer, "127.0.0.1", port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    logger.info("event consumer started, health on port %d", port)
    try:
        await consumer.run(stop)
    finally:
        server.close()
        engine.dispose()
        logger.info("event consumer stopped")


if __name__ == "__main__":
    asyncio.run(main())
