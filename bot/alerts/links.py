"""Signed links of an alert: confirm, unsubscribe, open an offer.

A token is ``<alert id>.<purpose>.<signature>``: an HMAC-SHA256 of the id and the purpose
with a key derived from the site's secret (``BOT_SECRET_KEY``, else the key kept under
``var/``, :mod:`bot.console.cookie_key`), so that the web app and the command that sends
the e-mails agree without storing tokens. Nothing about the candidate is in it. The
confirmation link is single-use by state: once the alert is confirmed (or gone) it does
nothing more.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from bot.config import Settings
from bot.console.cookie_key import cookie_key

PURPOSES = ("confirm", "unsubscribe", "open")


def link_key(settings: Settings) -> bytes:
    """The key of the alerts' links (not the cookies' key itself: derived from it)."""
    return hashlib.sha256(b"job-alert-links:" + cookie_key(settings)).digest()


def _signature(key: bytes, alert_id: int, purpose: str) -> str:
    digest = hmac.new(key, f"{alert_id}.{purpose}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")


def sign(key: bytes, alert_id: int, purpose: str) -> str:
    """The token for ``purpose`` (one of :data:`PURPOSES`) of one alert."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}, got {purpose!r}")
    return f"{alert_id}.{purpose}.{_signature(key, alert_id, purpose)}"


def verify(key: bytes, token: str, purpose: str) -> int | None:
    """The alert id of a genuine token for ``purpose``, else None."""
    parts = token.split(".")
    if len(parts) != 3 or parts[1] != purpose or not parts[0].isdigit() or len(parts[0]) > 12:
        return None
    alert_id = int(parts[0])
    expected = _signature(key, alert_id, purpose)
    return alert_id if hmac.compare_digest(parts[2].encode(), expected.encode()) else None
