"""What the chat and the web pages do with alerts, each in its own transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.alerts import mail, subscriptions
from bot.alerts.links import verify
from bot.alerts.subscriptions import Alert, SavedSearch
from bot.errors import AlertsNeedEmail
from bot.mailer import Mailer
from bot.storage import db


@dataclass(frozen=True)
class Subscribed:
    alert: Alert
    sent: bool  # the confirmation e-mail went out
    already_confirmed: bool  # the same search for this address was already confirmed


def subscribe_and_send(
    engine: Engine,
    mailer: Mailer | None,
    public_url: str,
    key: bytes,
    *,
    email: str,
    language: str,
    search: SavedSearch,
    sender_id: str | None = None,
    now: dt.datetime | None = None,
) -> Subscribed:
    """Store the pending alert and send its confirmation link (double opt-in).

    Raises:
        AlertsNeedEmail: no mail server is configured (no alert is created).
        InvalidEmail, AlertLimitReached: see :func:`subscriptions.subscribe`.
    """
    if mailer is None:
        raise AlertsNeedEmail()
    with db.transaction(engine) as conn:
        alert = subscriptions.subscribe(
            conn, email=email, language=language, search=search, sender_id=sender_id, now=now
        )
    if alert.status == "confirmed":
        return Subscribed(alert, sent=False, already_confirmed=True)
    message = mail.confirmation_email(alert, sender=mailer.sender, public_url=public_url, key=key)
    sent = mailer.deliver(message, about=f"confirmation of job alert {alert.id}")
    return Subscribed(alert, sent=sent, already_confirmed=False)


def confirm_token(engine: Engine, key: bytes, token: str) -> Alert | None:
    """Confirm the alert of a confirmation link; None for a link that is not (or no more)
    valid."""
    alert_id = verify(key, token, "confirm")
    if alert_id is None:
        return None
    with db.transaction(engine) as conn:
        return subscriptions.confirm(conn, alert_id)


def alert_of_token(engine: Engine, key: bytes, token: str, purpose: str) -> Alert | None:
    alert_id = verify(key, token, purpose)
    if alert_id is None:
        return None
    with db.reading(engine) as conn:
        return subscriptions.get(conn, alert_id)


def unsubscribe_token(engine: Engine, key: bytes, token: str) -> Alert | None:
    """End the alert of an unsubscribe link; the alert as it was, None for a bad link.
    Unsubscribing twice is fine (the alert is returned, already ended)."""
    alert_id = verify(key, token, "unsubscribe")
    if alert_id is None:
        return None
    with db.transaction(engine) as conn:
        alert = subscriptions.get(conn, alert_id)
        if alert is not None:
            subscriptions.unsubscribe(conn, alert_id)
        return alert


def open_offer(engine: Engine, key: bytes, token: str, vacancy_id: int) -> str | None:
    """The address of an offer linked from a digest (the alert is marked in use)."""
    alert_id = verify(key, token, "open")
    if alert_id is None:
        return None
    with db.transaction(engine) as conn:
        return subscriptions.opened(conn, alert_id, vacancy_id)
