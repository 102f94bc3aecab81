"""Typed keys of what the application and each request carry."""

from __future__ import annotations

from aiohttp import web

from bot.config import Settings
from bot.web.upcoming import SessionsProvider

SETTINGS = web.AppKey("settings", Settings)
SESSIONS: web.AppKey[SessionsProvider | None] = web.AppKey("sessions")
# Set on a request by the page it renders; the security headers allow it as connect-src.
RASA_URL = "rasa_url"
