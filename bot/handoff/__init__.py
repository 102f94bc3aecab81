"""Handover to a consultant: callback requests, office hours and the live takeover.

What the consultant console and the actions call, in plain Python: :mod:`~bot.handoff.callbacks`
(the callback requests), :mod:`~bot.handoff.office_hours` (when consultants answer),
:mod:`~bot.handoff.takeover` (a consultant takes a conversation over through Rasa's HTTP API,
:mod:`~bot.handoff.rasa_api`), :mod:`~bot.handoff.answers` (the callback form's answers read)
and :mod:`~bot.handoff.texts` (the parts of its sentences that depend on settings or time).
"""

from bot.handoff.callbacks import (
    CONSENT_TEXT_VERSION,
    EMAIL_TYPO_SLOT,
    FORGOTTEN_SLOTS,
    FORM_SLOTS,
    MISUNDERSTANDINGS_BEFORE_OFFER,
    PENDING_SLOT,
    STATUSES,
    CallbackRequest,
    callbacks_for_candidate,
    erase_candidate,
    expire,
    list_callbacks,
    live_request_follows,
    request_callback,
    set_callback_status,
    topic_of,
    waiting_live_request,
)
from bot.handoff.office_hours import (
    is_office_hours,
    is_open,
    is_working_day,
    local_time,
    next_opening,
    office_open_for,
)
from bot.handoff.takeover import hand_back, send_as_consultant, take_over

__all__ = [
    "CONSENT_TEXT_VERSION",
    "CallbackRequest",
    "EMAIL_TYPO_SLOT",
    "FORGOTTEN_SLOTS",
    "FORM_SLOTS",
    "MISUNDERSTANDINGS_BEFORE_OFFER",
    "PENDING_SLOT",
    "STATUSES",
    "callbacks_for_candidate",
    "erase_candidate",
    "expire",
    "hand_back",
    "is_office_hours",
    "is_open",
    "is_working_day",
    "list_callbacks",
    "local_time",
    "next_opening",
    "office_open_for",
    "request_callback",
    "send_as_consultant",
    "live_request_follows",
    "set_callback_status",
    "take_over",
    "topic_of",
    "waiting_live_request",
]
