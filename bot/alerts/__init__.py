"""Job alerts: a candidate's saved vacancy search, e-mailed when new offers match it.

:mod:`~bot.alerts.subscriptions` holds the alerts (double opt-in, unsubscribe, the
candidate's rights, retention), :mod:`~bot.alerts.links` signs their links,
:mod:`~bot.alerts.mail` writes the e-mails, :mod:`~bot.alerts.digest` sends the new offers
(``python -m bot.manage send-alerts`` and the web app's schedule) and
:mod:`~bot.alerts.use_cases` is what the chat and the web pages call.
"""

from bot.alerts.subscriptions import (
    ACTIVE,
    PENDING_DAYS,
    Alert,
    AlertCounts,
    SavedSearch,
    alerts_for_candidate,
    counts,
    erase_candidate,
    expire,
    for_conversation,
    stop_for_conversation,
)
from bot.alerts.use_cases import Subscribed, subscribe_and_send

__all__ = [
    "ACTIVE",
    "PENDING_DAYS",
    "Alert",
    "AlertCounts",
    "SavedSearch",
    "Subscribed",
    "alerts_for_candidate",
    "counts",
    "erase_candidate",
    "expire",
    "for_conversation",
    "stop_for_conversation",
    "subscribe_and_send",
]
