"""Callback requests: the candidate leaves a way to be called back, a consultant follows it up.

The candidate leaves a name, a phone number, optionally an e-mail address, a preferred
moment and their consent, or asks to be taken over live during office hours (``live=True``)
(``callback_requests`` table, bot/storage/handoff.py). Data functions take a connection and
leave the transaction to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.engine import Connection

from bot.config import Settings
from bot.contact import is_e164, normalise_phone
from bot.errors import (
    CallbackLimitReached,
    CallbackNotFound,
    InvalidPhone,
)
from bot.language.codes import SUPPORTED
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
    outcome: str | None = None

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
    client_key: str | None = None,
    now: datetime | None = None,
) -> CallbackRequest:
    """Store a callback request (or a live request), once per user message.

    ``client_key`` is the keyed hash of the candidate's client address (website channels),
    counted by the limit per client.

    The same (sender_id, message_id) again returns the stored request unchanged: a message
    delivered twice never queues two calls. A live request while the conversation already
    has one waiting or being handled returns that one.

    Raises:
        ValueError: a callback request without name, phone number or consent, or a
            language other than fr/nl.
        InvalidPhone: a phone number that is not Belgian or French.
    """
    if language not in SUPPORTED:
        raise ValueError(f"language must be fr or nl, got {language!r}")
    if not live and not (name and phone and consent_at and consent_version):
        raise ValueError("a callback request needs a name, a phone number and consent")
    if live:
        waiting = store.open_live_request(conn, sender_id)
        if waiting is not None:
            return CallbackRequest.from_row(waiting)
    else:
        _check_limit(conn, sender_id, message_id, _phone(phone), client_key)
    moment = _now(now)
    row = store.insert_once(
        conn,
        {
            "sender_id": sender_id,
            "message_id": message_id,
            "channel": channel,
            "client_key": client_key,
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


def _check_limit(
    conn: Connection, sender_id: str, message_id: str, phone: str | None, client_key: str | None
) -> None:
    """Refuse one more open request for a conversation or a phone number that has
    ``BOT_MAX_OPEN_CALLBACKS`` already, or a client address with
    ``BOT_MAX_OPEN_CALLBACKS_PER_CLIENT`` (a script flooding the queue, from new
    conversations); the same message again is not refused (it returns its request)."""
    if store.find_by_message(conn, sender_id, message_id) is not None:
        return
    settings = Settings.from_env()
    limit = settings.max_open_callbacks
    by_conversation, by_phone, by_client = store.open_requests(conn, sender_id, phone, client_key)
    if by_conversation >= limit:
        raise CallbackLimitReached("conversation", limit)
    if by_phone >= limit:
        raise CallbackLimitReached("phone", limit)
    if by_client >= settings.max_open_callbacks_per_client:
        raise CallbackLimitReached("client", settings.max_open_callbacks_per_client)


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


def live_request_follows(
    conn: Connection,
    sender_id: str,
    status: str,
    consultant: str | None,
    now: datetime | None = None,
) -> int | None:
    """The conversation's open live request takes the takeover's status; its id, if any.

    ``in_progress`` when a consultant takes the conversation (or a colleague takes it over:
    the request names whoever holds it), ``done`` when it is handed back, so that the queue
    never shows waiting a candidate someone is already talking to.
    """
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
    waiting = store.open_live_request(conn, sender_id)
    if waiting is None:
        return None
    store.set_status(conn, int(waiting["id"]), status, consultant, _now(now))
    return int(waiting["id"])


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


# The slot that says a consultant was offered or asked for and the candidate may be waiting
# (domain/handoff.yml): "hallo? is daar iemand?" then gets the queue, not the welcome.
PENDING_SLOT = "handoff_pending"


def waiting_live_request(conn: Connection, sender_id: str) -> CallbackRequest | None:
    """The conversation's live request still waiting for a consultant (status ``new``), if any.

    The newest one; a request a consultant took (``in_progress``) or closed is not waiting.
    """
    waiting = [
        request
        for request in callbacks_for_candidate(conn, sender_id=sender_id)
        if request.live and request.status == "new"
    ]
    return max(waiting, key=lambda request: request.created_at, default=None)


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


def expire(conn: Connection, cutoff: datetime, now: datetime | None = None) -> int:
    """Anonymise the requests closed before ``cutoff`` (the retention period), as an
    erasure does; how many. Open requests keep their data until they are closed."""
    return store.anonymise_closed_before(conn, cutoff, _now(now))


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
