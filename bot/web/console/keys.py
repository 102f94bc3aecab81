"""Typed keys of the console sub-application and of its requests."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.engine import Engine

ENGINE = web.AppKey("console_engine", Engine)
# Set on a request by the authentication middleware: the signed-in bot.console.users.User.
USER = "console_user"
LANGUAGE = "console_language"
