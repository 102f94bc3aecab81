"""Handover to a consultant: callback requests, office hours, and the live takeover.

What the consultant console and the actions call. Plain Python, no Rasa import:

- Callback requests (``callback_requests`` table, bot/storage/handoff.py): the candidate
  leaves a name, a phone number, optionally an e-mail address, a preferred moment and their
  consent, or asks to be taken over live during office hours (``live=True``). Data
  functions take a connection and leave the transaction to the caller.
- Office hours: Monday to Friday 9:00-17:00 Europe/Brussels by default, minus the public
  holidays of Belgium and France (``HandoffSettings``, bot/office_hours.py).
- Live takeover through Rasa's HTTP API (bot/rasa_api.py): ``take_over`` appends a
  ``pause`` event, so that Rasa still logs the candidate's messages but predicts no action
  (the bot stays silent); ``send_as_consultant`` appends a ``bot`` event that Rasa sends to
  the candidate's latest channel; ``hand_back`` appends ``resume``. The candidate is told in
  their language when a consultant joins and when the assistant is back.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.engine import Connection

from bot import office_hours, rasa_api
from bot.config import Settings
from bot.contact import is_e164, normalise_phone
from bot.errors import (
    AlreadyTakenOver,
    CallbackNotFound,
    ConversationNotFound,
    InvalidPhone,
    NotTakenOver,
)
from bot.handoff_texts import takeover_text
from bot.storage import handoff as store

STATUSES = store.STATUSES
# The version of the consent text the candidate agreed to (utter_ask_callback_consent);
# tests/content/test_handoff_content.py fails when that text changes and this does not.
CONSENT_TEXT_VERSION = "callback-2026-12-02"
# Misunderstood messages in one conversation after which a consultant is offered.
MISUNDERSTANDINGS_BEFORE_OFFER = 3
# Slots of the callback form: personal data, cleared once stored or stopped.
FORM_SLOTS = ("callback_consent", "callback_name", "callback_phone", "callback_email",
              "callback_moment")  # fmt: skip
# The address last refused as a probable typo ("jan@gmial.com"), accepted if sent again:
# cleared with the form's slots (and masked in the console, bot.console.transcript).
EMAIL_TYPO_SLOT = "callback_email_typo"
FORGOTTEN_SLOTS = (*FORM_SLOTS, EMAIL_TYPO_SLOT)


@dataclass(frozen=True)
class CallbackRequest:
    """One request for a consultant, as stored (times in UTC, phone in E.164)."""

    id: int
    sender_id: str
    message_id: str
    channel: str | None
    live: bool
    name: str | None
    phone: str | None
    email: str | None
    language: str
    preferred_moment: str | None
    topic: str | None
    consent_at: datetime | None
    consent_version: str | None
    status: str
    consultant: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> CallbackRequest:
        return cls(**{f.name: row[f.name] for f in fields(cls)})


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def _phone(phone: str | None) -> str | None:
    """E.164 for anything the form or the console gives; InvalidPhone when it is no number."""
    if not phone:
        return None
    return phone if is_e164(phone) else normalise_phone(phone)


def request_callback(
    conn: Connection,
    *,
    sender_id: str,
    message_id: str,
    language: str,
    channel: str | None = None,
    live: bool = False,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    preferred_moment: str | None = None,
    topic: str | None = None,
    consent_at: datetime | None = None,
    consent_version: str | None = None,
    now: datetime | None = None,
) -> CallbackRequest:
    """Store a callback request (or a live request), once per user message.

    The same (sender_id, message_id) again returns the stored request unchanged: a message
    delivered twice never queues two calls. A live request while the conversation already
    has one waiting or being handled returns that one.

    Raises:
        ValueError: a callback request without name, phone number or consent, or a
            language other than fr/nl.
        InvalidPhone: a phone number that is not Belgian or French.
    """
    if language not in ("fr", "nl"):
        raise ValueError(f"language must be fr or nl, got {language!r}")
    if not live and not (name and phone and consent_at and consent_version):
        raise ValueError("a callback request needs a name, a phone number and consent")
    if live:
        waiting = store.open_live_request(conn, sender_id)
        if waiting is not None:
            return CallbackRequest.from_row(waiting)
    moment = _now(now)
    row = store.insert_once(
        conn,
        {
            "sender_id": sender_id,
            "message_id": message_id,
            "channel": channel,
            "live": live,
            "name": name,
            "phone": _phone(phone),
            "email": email.strip().lower() if email else None,
            "language": language,
            "preferred_moment": preferred_moment,
            "topic": topic,
            "consent_at": store.utc(consent_at),
            "consent_version": consent_version,
            "status": "new",
            "created_at": moment,
            "updated_at": moment,
        },
    )
    return CallbackRequest.from_row(row)


def list_callbacks(conn: Connection, status: str | None = None) -> list[CallbackRequest]:
    """The requests (erased ones left out), oldest first; only one status when given."""
    if status is not None and status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
    return [CallbackRequest.from_row(row) for row in store.find(conn, status)]


def set_callback_status(
    conn: Connection,
    callback_id: int,
    status: str,
    consultant: str | None,
    now: datetime | None = None,
) -> CallbackRequest:
    """Record what a consultant did with a request (``in_progress``, ``done``, ``no_answer``).

    Raises:
        ValueError: an unknown status.
        CallbackNotFound: no such request, or it was erased.
    """
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
    if not store.set_status(conn, callback_id, status, consultant, _now(now)):
        raise CallbackNotFound(callback_id)
    row = store.get(conn, callback_id)
    assert row is not None
    return CallbackRequest.from_row(row)


def _identifiers(
    email: str | None, phone: str | None, sender_id: str | None
) -> tuple[str | None, str | None, str | None]:
    """The candidate's identifiers in stored form (lower-case e-mail, E.164 phone)."""
    try:
        normalised = _phone(phone)
    except InvalidPhone:
        normalised = phone.strip() if phone else None  # look it up as given
    return (email.strip().lower() if email else None), normalised, sender_id or None


def callbacks_for_candidate(
    conn: Connection,
    email: str | None = None,
    phone: str | None = None,
    sender_id: str | None = None,
) -> list[CallbackRequest]:
    """The requests of one candidate: any of their e-mail, phone number or conversation id.

    Raises:
        ValueError: when none is given.
    """
    rows = store.for_candidate(conn, *_identifiers(email, phone, sender_id))
    return [CallbackRequest.from_row(row) for row in rows]


def erase_candidate(
    conn: Connection,
    email: str | None = None,
    phone: str | None = None,
    sender_id: str | None = None,
    now: datetime | None = None,
) -> int:
    """Anonymise the candidate's requests; how many rows were erased.

    Name, phone, e-mail, preferred moment, topic and the conversation id are cleared; the
    row (status, dates, language, channel, consultant) stays for the counts, and no list
    shows it any more. Rasa's events of the conversation are the privacy tools' business.

    Raises:
        ValueError: when no identifier is given.
    """
    return store.anonymise(conn, *_identifiers(email, phone, sender_id), _now(now))


def is_office_hours(now: datetime, settings: Settings) -> bool:
    """True when consultants answer at ``now`` (aware datetime), holidays of BE and FR off."""
    return office_hours.is_open(now, settings.handoff)


def office_open_for(now: datetime, settings: Settings, requested: str | None) -> bool:
    """Office hours for one conversation: tests may ask "open" or "closed" in its metadata.

    ``requested`` counts only with ``BOT_OFFICE_HOURS_OVERRIDE=metadata``, so that a
    visitor cannot choose.
    """
    if settings.handoff.office_hours_override == "metadata" and requested in ("open", "closed"):
        return requested == "open"
    return is_office_hours(now, settings)


# Intents that say nothing about why the candidate wants a person.
_NOT_A_TOPIC = frozenset(
    """ask_human affirm deny greet goodbye thank switch_language out_of_scope other_language
    bot_challenge help""".split()
)


def topic_of(intents: list[str]) -> str | None:
    """What the candidate was talking about before asking for a person, for the consultant.

    ``intents`` are the conversation's user intents, oldest first ("faq/taxes" for a
    question). The last one that names a subject wins; ``nlu_fallback`` is kept: it tells
    the consultant that the assistant did not understand.
    """
    for intent in reversed(intents):
        if intent not in _NOT_A_TOPIC:
            return intent[:200]
    return None


# --- live takeover ------------------------------------------------------------------------


async def _conversation(settings: Settings, sender_id: str) -> dict[str, Any]:
    state = await rasa_api.tracker_state(settings, sender_id)
    if not state.get("latest_input_channel"):
        raise ConversationNotFound(sender_id)
    return state


def _language(state: dict[str, Any]) -> str:
    language = (state.get("slots") or {}).get("language")
    return language if language in ("fr", "nl") else "fr"


def _bot_event(text: str, **metadata: str) -> dict[str, Any]:
    return {"event": "bot", "text": text, "metadata": {"handoff": True, **metadata}}


async def take_over(settings: Settings, sender_id: str, consultant: str) -> None:
    """A consultant takes the conversation: the bot goes silent, the candidate is told.

    A form or fallback loop in progress is closed (its half-given answers forgotten).

    Raises:
        ConversationNotFound: the candidate never wrote.
        AlreadyTakenOver: a consultant is already in charge.
        RasaApiUnavailable: the API is off, unreachable or refused the call.
    """
    state = await _conversation(settings, sender_id)
    if state.get("paused"):
        raise AlreadyTakenOver(sender_id)
    events: list[dict[str, Any]] = []
    if (state.get("active_loop") or {}).get("name"):
        events += [
            {"event": "active_loop", "name": None},
            {"event": "slot", "name": "requested_slot", "value": None},
        ]
    slots = state.get("slots") or {}
    events += [{"event": "slot", "name": s, "value": None} for s in FORGOTTEN_SLOTS if slots.get(s)]
    events += [
        {"event": "pause"},
        _bot_event(
            takeover_text("joined", _language(state)), kind="consultant_joined",
            consultant=consultant,
        ),
    ]  # fmt: skip
    await rasa_api.append_events(settings, sender_id, events)


async def send_as_consultant(settings: Settings, sender_id: str, text: str) -> None:
    """Deliver the consultant's words, as they are, to the candidate's channel.

    Raises:
        ValueError: an empty message.
        ConversationNotFound: the candidate never wrote.
        NotTakenOver: the bot is in charge (take the conversation over first).
        RasaApiUnavailable: the API is off, unreachable or refused the call.
    """
    if not text.strip():
        raise ValueError("the consultant's message is empty")
    state = await _conversation(settings, sender_id)
    if not state.get("paused"):
        raise NotTakenOver(sender_id)
    await rasa_api.append_events(settings, sender_id, [_bot_event(text, kind="consultant_message")])


async def hand_back(settings: Settings, sender_id: str) -> None:
    """The assistant is in charge again; the candidate is told. Nothing to do if it was.

    Raises:
        ConversationNotFound: the candidate never wrote.
        RasaApiUnavailable: the API is off, unreachable or refused the call.
    """
    state = await _conversation(settings, sender_id)
    if not state.get("paused"):
        return
    back = _bot_event(takeover_text("left", _language(state)), kind="assistant_back")
    await rasa_api.append_events(settings, sender_id, [{"event": "resume"}, back])
