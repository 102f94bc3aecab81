"""One candidate's data: find it, export it as JSON, erase it; and the retention purge.

A candidate is looked for by e-mail address, phone number or conversation id (Rasa's
sender id, or the console's conversation number). Their conversations are those whose id
is that value (a WhatsApp sender id is the phone number), whose personal slots hold it
(the booking form's ``candidate_email``...), or whose user messages contain it. Those
conversations and the e-mail addresses and phone numbers found in their slots then find the
records of the features that keep candidates' data (:data:`FEATURES`: bookings, callback
requests), through each feature's own functions, which know what their rows keep after
erasure.

Erasure deletes the tracker events, the projection rows and the console's notes, tags,
reviews and inbox messages, lets the features erase bookings and callbacks, and writes an
audit entry with counts only. In production mode it also reaches what lives outside the
database: the conversations go on the event consumer's erasure list (their events still
queued in RabbitMQ are dropped, not written back), and their Redis keys (lock, last
buttons) are deleted once the erasure has committed.

Phone numbers are compared on their last nine digits, so that "0470 12 34 56",
"+32 470 12 34 56" and "whatsapp:+32470123456" are the same number.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlalchemy import delete, func, or_, select
from sqlalchemy.engine import Connection, Engine

from bot import alerts, events, handoff, redis_keys, sessions
from bot.config import Settings
from bot.console import audit, projection
from bot.console.summary import PERSONAL_SLOTS
from bot.handoff import follow_up
from bot.mailer import Mailer
from bot.storage import db, rasa_events
from bot.storage.console import (
    conversation_notes,
    conversation_reviews,
    conversation_tags,
    conversation_takeovers,
    conversations,
)
from bot.storage.consumed_events import consumed_events
from bot.storage.handoff import callback_requests
from bot.storage.sessions import session_bookings

log = logging.getLogger(__name__)

PHONE_DIGITS = 9
CHUNK = 500
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# How long the event consumer remembers an erased conversation: its events still queued
# then are dropped (a queue is drained within seconds while the consumer runs).
ERASURE_LIST_DAYS = 7


Result = TypeVar("Result", covariant=True)


class ByIdentifier(Protocol[Result]):
    """A feature's function called with one of a candidate's identifiers: an e-mail address,
    a phone number or a conversation id."""

    def __call__(
        self,
        conn: Connection,
        email: str | None = None,
        phone: str | None = None,
        sender_id: str | None = None,
    ) -> Result: ...


@dataclass(frozen=True)
class CandidateRecords:
    """What one feature keeps about candidates: how to find and erase it.

    ``name`` is the record list's key in the export (and in :attr:`Candidate.records`),
    ``table`` the row of the erasure report.
    """

    name: str
    table: str
    find: ByIdentifier[Sequence[Any]]
    erase: ByIdentifier[Erased]
    # Anonymises the records past the retention period (a cutoff date); how many. None:
    # the feature has its own retention rules, applied by :func:`purge` (job alerts).
    expire: Callable[[Connection, dt.datetime], int] | None


@dataclass(frozen=True)
class Erased:
    """What a feature's erasure did: rows erased, and bookings that got a freed seat (their
    candidates are to be told once the erasure is committed)."""

    count: int
    promoted: tuple[sessions.Booking, ...] = ()


def _erase_bookings(
    conn: Connection,
    email: str | None = None,
    phone: str | None = None,
    sender_id: str | None = None,
) -> Erased:
    result = sessions.erase_candidate(conn, email, phone, sender_id)
    return Erased(len(result.booking_ids), result.promoted)


def _erase_alerts(
    conn: Connection,
    email: str | None = None,
    phone: str | None = None,
    sender_id: str | None = None,
) -> Erased:
    return Erased(alerts.erase_candidate(conn, email, phone, sender_id))


def _erase_callbacks(
    conn: Connection,
    email: str | None = None,
    phone: str | None = None,
    sender_id: str | None = None,
) -> Erased:
    return Erased(handoff.erase_candidate(conn, email, phone, sender_id))


# Every feature whose rows hold candidates' data.
FEATURES = (
    CandidateRecords(
        "bookings",
        session_bookings.name,
        sessions.bookings_for_candidate,
        _erase_bookings,
        lambda conn, cutoff: sessions.expire(conn, cutoff),
    ),
    CandidateRecords(
        "callbacks",
        callback_requests.name,
        handoff.callbacks_for_candidate,
        _erase_callbacks,
        lambda conn, cutoff: handoff.expire(conn, cutoff),
    ),
    CandidateRecords(
        "job_alerts",
        "job_alerts",
        alerts.alerts_for_candidate,
        _erase_alerts,
        None,  # unconfirmed after 7 days, or unused for ALERT_IDLE_DAYS: see purge
    ),
)


@dataclass(frozen=True)
class CandidateQuery:
    email: str | None = None
    phone: str | None = None
    conversation: str | None = None

    @classmethod
    def of(cls, email: str = "", phone: str = "", conversation: str = "") -> CandidateQuery:
        return cls(
            email=email.strip().lower() or None,
            phone=phone.strip() or None,
            conversation=conversation.strip() or None,
        )

    @property
    def empty(self) -> bool:
        return not (self.email or self.phone_digits or self.conversation)

    @property
    def phone_digits(self) -> str | None:
        digits = re.sub(r"\D", "", self.phone or "")
        return digits[-PHONE_DIGITS:] if len(digits) >= 6 else None


@dataclass
class Candidate:
    """What was found: conversations, the contacts they hold, the features' records."""

    query: CandidateQuery
    senders: list[str] = field(default_factory=list)
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    events: int = 0
    # The features' records, by :attr:`CandidateRecords.name`.
    records: dict[str, list[Any]] = field(default_factory=dict)
    notes: int = 0
    tags: int = 0
    # The console's numbers of these conversations (those already projected).
    numbers: list[int] = field(default_factory=list)


def digits_of(value: str) -> str:
    return re.sub(r"\D", "", value)[-PHONE_DIGITS:]


def find(conn: Connection, query: CandidateQuery) -> Candidate:
    """Everything about one candidate (blocking; read-only)."""
    found = Candidate(query)
    if query.empty:
        return found
    senders = _senders(conn, query)
    found.senders = sorted(senders)
    emails, phones = _contacts(conn, found.senders)
    if query.email:
        emails.add(query.email)
    if query.phone:
        phones.add(query.phone)
    found.emails, found.phones = emails, phones
    found.events = _count(conn, rasa_events.events, found.senders) if _has_events(conn) else 0
    found.numbers = _numbers(conn, found.senders)
    found.notes = _count(conn, conversation_notes, found.senders)
    found.tags = _count(conn, conversation_tags, found.senders)
    for feature in FEATURES:
        records: dict[Any, Any] = {}
        for identifier in _identifiers(found):
            for record in feature.find(conn, **identifier):
                records[record.id] = record
        found.records[feature.name] = list(records.values())
    return found


def _identifiers(candidate: Candidate) -> list[dict[str, str]]:
    """One feature call per identifier: each e-mail address, phone number, conversation."""
    return [
        *({"email": email} for email in sorted(candidate.emails)),
        *({"phone": phone} for phone in sorted(candidate.phones)),
        *({"sender_id": sender} for sender in candidate.senders),
    ]


def _has_events(conn: Connection) -> bool:
    return rasa_events.exists(conn)


def _senders(conn: Connection, query: CandidateQuery) -> set[str]:
    senders: set[str] = set()
    if query.conversation:
        senders |= _by_conversation(conn, query.conversation)
    if not _has_events(conn):
        return senders
    e = rasa_events.events.c
    if query.email:
        email = query.email
        rows = conn.execute(
            select(e.sender_id, e.type_name, e.data)
            .where(or_(e.type_name == "slot", e.type_name == "user"))
            .where(func.lower(e.data).like(f"%{_escape(email)}%", escape="\\"))
        )
        senders |= {row.sender_id for row in rows if _mentions_email(row, email)}
        senders |= _senders_named(conn, lambda s: s.lower() == email, email)
    digits = query.phone_digits
    if digits:
        rows = conn.execute(
            select(e.sender_id, e.type_name, e.data)
            .where(or_(e.type_name == "slot", e.type_name == "user"))
            # Phones are written in pairs ("0470 12 34 56"): the last two pairs in order.
            .where(e.data.like(f"%{digits[-4:-2]}%{digits[-2:]}%"))
        )
        senders |= {row.sender_id for row in rows if _mentions_phone(row, digits)}
        senders |= _senders_named(conn, lambda s: digits_of(s) == digits, digits[-4:])
    return senders


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _by_conversation(conn: Connection, value: str) -> set[str]:
    found = set()
    if value.isdigit():
        row = conn.execute(
            select(conversations.c.sender_id).where(conversations.c.id == int(value))
        ).first()
        if row:
            found.add(row.sender_id)
    if _has_events(conn):
        e = rasa_events.events.c
        if conn.execute(select(e.id).where(e.sender_id == value).limit(1)).first():
            found.add(value)
    elif conn.execute(select(conversations.c.id).where(conversations.c.sender_id == value)).first():
        found.add(value)
    return found


def _senders_named(conn: Connection, matches: Any, fragment: str) -> set[str]:
    """Conversations whose id itself is the contact (WhatsApp, SMS)."""
    e = rasa_events.events.c
    rows = conn.execute(
        select(e.sender_id)
        .where(e.sender_id.like(f"%{_escape(fragment)}%", escape="\\"))
        .distinct()
    )
    return {row.sender_id for row in rows if matches(row.sender_id)}


def _event_values(row: Any) -> list[str]:
    try:
        data = json.loads(row.data or "{}")
    except ValueError:
        return []
    if row.type_name == "slot":
        value = data.get("value")
        return [value] if data.get("name") in PERSONAL_SLOTS and isinstance(value, str) else []
    return [str(data.get("text") or "")]


def _mentions_email(row: Any, email: str) -> bool:
    return any(
        email in {m.lower() for m in _EMAIL.findall(value)} or value.strip().lower() == email
        for value in _event_values(row)
    )


def _mentions_phone(row: Any, digits: str) -> bool:
    for value in _event_values(row):
        for candidate in re.findall(r"\+?\d[\d\s./-]{5,}\d", value):
            if digits_of(candidate) == digits:
                return True
    return False


def _contacts(conn: Connection, senders: list[str]) -> tuple[set[str], set[str]]:
    """E-mail addresses and phone numbers the candidate typed into personal slots."""
    emails: set[str] = set()
    phones: set[str] = set()
    if not senders or not _has_events(conn):
        return emails, phones
    e = rasa_events.events.c
    for chunk in _chunks(senders):
        rows = conn.execute(
            select(e.type_name, e.data).where(e.sender_id.in_(chunk), e.type_name == "slot")
        )
        for row in rows:
            for value in _event_values(row):
                text = value.strip()
                if _EMAIL.fullmatch(text):
                    emails.add(text.lower())
                elif len(re.sub(r"\D", "", text)) >= 6 and not re.search(r"[^\d\s+./()-]", text):
                    phones.add(text)
    return emails, phones


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _numbers(conn: Connection, senders: list[str]) -> list[int]:
    numbers: list[int] = []
    for chunk in _chunks(senders):
        rows = conn.execute(select(conversations.c.id).where(conversations.c.sender_id.in_(chunk)))
        numbers += [int(row.id) for row in rows]
    return sorted(numbers)


def _count(conn: Connection, table: Any, senders: list[str]) -> int:
    total = 0
    for chunk in _chunks(senders):
        total += int(
            conn.execute(
                select(func.count()).select_from(table).where(table.c.sender_id.in_(chunk))
            ).scalar_one()
        )
    return total


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def export(conn: Connection, candidate: Candidate) -> dict[str, Any]:
    """Everything found, as one JSON-ready document (the candidate's right of access)."""
    conversations_out = []
    for sender in candidate.senders:
        events = _events(conn, sender)
        conversations_out.append({"conversation_id": sender, "events": events})
    notes = []
    tags = []
    for chunk in _chunks(candidate.senders):
        n = conversation_notes.c
        notes += [
            {
                "conversation_id": r.sender_id,
                "author": r.author,
                "text": r.text,
                "created_at": r.created_at,
            }
            for r in conn.execute(select(conversation_notes).where(n.sender_id.in_(chunk)))
        ]
        t = conversation_tags.c
        tags += [
            {"conversation_id": r.sender_id, "tag": r.tag, "created_at": r.created_at}
            for r in conn.execute(select(conversation_tags).where(t.sender_id.in_(chunk)))
        ]
    document: dict[str, Any] = _plain(
        {
            "exported_at": dt.datetime.now(dt.timezone.utc),
            "conversations": conversations_out,
            **{feature.name: candidate.records.get(feature.name, []) for feature in FEATURES},
            "console_notes": notes,
            "console_tags": tags,
            # Consultants' notes and call attempts about the candidate's callback requests.
            "callback_follow_up": [
                {"callback_id": record.id, **dataclasses.asdict(item)}
                for record in candidate.records.get("callbacks", [])
                for item in follow_up.history(conn, record.id)
            ],
        }
    )
    return document


def _events(conn: Connection, sender: str) -> list[dict[str, Any]]:
    if not _has_events(conn):
        return []
    e = rasa_events.events
    rows = conn.execute(select(e).where(e.c.sender_id == sender).order_by(e.c.id))
    return [rasa_events.from_row(row).data for row in rows]


@dataclass(frozen=True)
class ErasureReport:
    """How many rows of each table an erasure deleted or anonymised, and the bookings of
    other candidates that took a seat the erased bookings freed."""

    counts: dict[str, int]
    promoted: tuple[sessions.Booking, ...] = ()
    # The conversations erased (for what lives outside the database: Redis).
    senders: tuple[str, ...] = ()


def _forget_in_redis(redis_url: str, senders: Sequence[str]) -> int:
    """Delete the conversations' Redis keys; -1 when Redis did not answer (logged: the keys
    then expire on their own, the buttons' within a week, a lock once its tickets expire)."""
    try:
        return redis_keys.forget_conversations(redis_url, senders)
    except Exception as exc:  # redis.RedisError, OSError: the database erasure stands
        log.warning("erasure: Redis keys not deleted (%s)", type(exc).__name__)
        return -1


def erase(conn: Connection, candidate: Candidate, actor: str) -> ErasureReport:
    """Erase what :func:`find` found, in the caller's transaction, and audit it."""
    projection.lock_state(conn)
    counts = delete_conversations(conn, candidate.senders)
    promoted: list[sessions.Booking] = []
    for feature in FEATURES:
        erased = [feature.erase(conn, **identifier) for identifier in _identifiers(candidate)]
        counts[feature.table] = sum(e.count for e in erased)
        promoted += [booking for e in erased for booking in e.promoted]
    if _has_events(conn):
        projection.rewind_after_delete(conn)
    events.record_erased(conn, candidate.senders, time.time())
    audit.record(conn, actor, "erase_candidate", **counts)
    return ErasureReport(counts, tuple(promoted), tuple(candidate.senders))


def erase_and_notify(
    engine: Engine,
    mailer: Mailer | None,
    public_url: str,
    query: CandidateQuery,
    actor: str,
    redis_url: str | None = None,
) -> ErasureReport:
    """Find and erase one candidate in one transaction; then delete the conversations' Redis
    keys (production mode: ``redis_url``) and e-mail whoever got a seat that the erased
    bookings freed, as a cancellation does."""
    with db.transaction(engine) as conn:
        report = erase(conn, find(conn, query), actor)
    if redis_url and report.senders:
        report.counts["redis_keys"] = _forget_in_redis(redis_url, report.senders)
    for booking in report.promoted:
        with db.reading(engine) as conn:
            session = sessions.get_session(conn, booking.session_id)
        sessions.notify_promoted(mailer, public_url, session, [booking])
    return report


def delete_conversations(conn: Connection, senders: list[str]) -> dict[str, int]:
    """Delete the events and every console row of these conversations; counts per table."""
    counts = {"events": 0}
    if _has_events(conn):
        e = rasa_events.events
        for chunk in _chunks(senders):
            counts["events"] += conn.execute(delete(e).where(e.c.sender_id.in_(chunk))).rowcount
    counts.update(projection.delete_conversations(conn, senders))
    # consumed_events: the event consumer's record of what it projected (production mode),
    # keyed by sender id too (a phone number on WhatsApp).
    tables = (
        conversation_notes,
        conversation_tags,
        conversation_reviews,
        conversation_takeovers,
        consumed_events,
    )
    for table in tables:
        total = 0
        for chunk in _chunks(senders):
            total += conn.execute(delete(table).where(table.c.sender_id.in_(chunk))).rowcount
        counts[table.name] = total
    return counts


def expired_senders(conn: Connection, days: int, now: float | None = None) -> list[str]:
    """Conversations whose last event is older than ``days`` (events and projection)."""
    cutoff = (time.time() if now is None else now) - days * 86400
    senders: set[str] = set()
    if _has_events(conn):
        e = rasa_events.events.c
        rows = conn.execute(
            select(e.sender_id).group_by(e.sender_id).having(func.max(e.timestamp) < cutoff)
        )
        senders |= {row.sender_id for row in rows}
    rows = conn.execute(select(conversations.c.sender_id).where(conversations.c.last_at < cutoff))
    senders |= {row.sender_id for row in rows}
    return sorted(senders)


def purge(
    conn: Connection,
    days: int,
    actor: str,
    now: float | None = None,
    records_days: int | None = None,
    alert_idle_days: int | None = None,
) -> int:
    """Delete conversations idle for more than ``days`` days; how many (audited).

    The features' records (:data:`FEATURES`: bookings after their session, callback
    requests after they were closed) are anonymised after ``records_days``
    (``BOT_RECORDS_RETENTION_DAYS`` when not given). Job alerts end (anonymised) when
    unconfirmed after 7 days or when their links were not used for ``alert_idle_days``
    (``ALERT_IDLE_DAYS`` when not given).
    """
    if days < 1:
        raise ValueError("the retention period is at least one day")
    if records_days is None or alert_idle_days is None:
        settings = Settings.from_env()
        records_days = settings.records_retention_days if records_days is None else records_days
        if alert_idle_days is None:
            alert_idle_days = settings.alert_idle_days
    projection.lock_state(conn)
    senders = expired_senders(conn, days, now)
    if senders:
        delete_conversations(conn, senders)
        if _has_events(conn):
            projection.rewind_after_delete(conn)
    moment = time.time() if now is None else now
    cutoff = dt.datetime.fromtimestamp(moment - records_days * 86400, dt.timezone.utc)
    expired = {
        feature.name: feature.expire(conn, cutoff)
        for feature in FEATURES
        if feature.expire is not None
    }
    expired["job_alerts"] = alerts.expire(
        conn, alert_idle_days, dt.datetime.fromtimestamp(moment, dt.timezone.utc)
    )
    events.forget_erased(conn, moment - ERASURE_LIST_DAYS * 86400)
    audit.record(conn, actor, "purge", conversations=len(senders), days=days, **expired)
    log.info(
        "retention purge: %d conversations older than %d days, records anonymised: %s",
        len(senders),
        days,
        expired,
    )
    return len(senders)
