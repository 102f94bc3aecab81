"""Typed keys of what the application and each request carry."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.throttle import FailureThrottle
from bot.web.upcoming import SessionsProvider

SETTINGS = web.AppKey("settings", Settings)
SESSIONS: web.AppKey[SessionsProvider | None] = web.AppKey("sessions")
# The project's database (sessions, bookings...): one pool for the application.
ENGINE = web.AppKey("engine", Engine)
# Failed booking-reference look-ups on /ics/, per client address.
ICS_FAILURES = web.AppKey("ics_failures", FailureThrottle)
# Set on a request by the page it renders; the security headers allow it as connect-src.
RASA_URL = "rasa_url"
