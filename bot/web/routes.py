"""URL map of the public site: ``/`` picks a language, then ``/fr/...`` and ``/nl/...``."""

from __future__ import annotations

from aiohttp import web

from bot.throttle import FailureThrottle
from bot.web import alerts, booking_confirm, invites, public
from bot.web.keys import ICS_FAILURES

LANG = "{lang:fr|nl}"


def setup(app: web.Application) -> None:
    """Add the public routes to ``app``."""
    app.router.add_get("/", public.choose_language, name="root")
    app.router.add_get("/health", public.health, name="health")
    app.router.add_get("/ready", public.ready, name="ready")
    app.router.add_get("/privacy", public.choose_language_privacy, name="privacy_root")
    app.router.add_get(
        "/accessibility", public.choose_language_accessibility, name="accessibility_root"
    )
    app.router.add_get(f"/{LANG}", public.add_slash)
    app.router.add_get(f"/{LANG}/", public.home, name="home")
    app.router.add_get(f"/{LANG}/privacy", public.privacy, name="privacy")
    app.router.add_get(f"/{LANG}/accessibility", public.accessibility, name="accessibility")
    confirm_path = f"/{LANG}/bookings/confirm/{{token:[A-Za-z0-9_-]{{20,100}}}}"
    app.router.add_get(confirm_path, booking_confirm.show, name="booking_confirm")
    app.router.add_post(confirm_path, booking_confirm.confirm)
    app[ICS_FAILURES] = FailureThrottle()
    app.router.add_get("/ics/{reference}.ics", invites.calendar_invite, name="ics")
    alerts.setup(app)
