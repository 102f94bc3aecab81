"""``python -m bot.web``: serve the website on ``BOT_WEB_PORT`` (the launcher starts it)."""

from __future__ import annotations

import logging

from aiohttp import web

from bot import log
from bot.config import Settings
from bot.web.app import create_app


def main() -> None:
    log.setup()
    settings = Settings.from_env()
    logging.getLogger("bot.web").info("website on %s port %d", settings.web_host, settings.web_port)
    web.run_app(
        create_app(settings),
        host=settings.web_host,
        port=settings.web_port,
        print=None,
        access_log=None,
    )


if __name__ == "__main__":
    main()
