"""The conversation list (filters, search, pages) and the consultants' tags, notes, reviews.

The list reads the projection only (one row per conversation, ``bot.console.projection``),
newest first through the ``(last_at, id)`` index or a ``(<filter>, last_at)`` one, and asks
for one row more than a page to know whether a next page exists (no ``COUNT`` over
100,000 rows). Search looks up every word typed (folded, as a prefix: "impot" finds
"impôts") in the words of the conversation's user messages (``conversation_words``, an
index), or takes the term as an exact conversation id. A phone number in any form
("0470 12 34 56", "+32470123456", "0032 470...") or a booking reference (with or without
its dash) is looked up by its search key (``bot.console.summary.search_keys``), and a town
by each of its names in both languages ("Kortrijk" finds "Courtrai", ``bot.gazetteer``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import and_, delete, exists, insert, not_, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from bot.console.summary import LOCAL_TIME, search_keys, words_of
from bot.console.users import now_utc
from bot.errors import UnknownConversation
from bot.gazetteer import place_names
from bot.storage import rasa_events
from bot.storage.console import (
    conversation_intents,
    conversation_notes,
    conversation_reviews,
    conversation_tags,
    conversation_takeovers,
    conversation_words,
    conversations,
)

PAGE_SIZE = 50
MAX_PAGE = 2000
MAX_TAG = 40
MAX_NOTE = 2000
MAX_SEARCH_WORDS = 5
CHANNELS = ("socketio", "rest", "telegram", "facebook", "twilio")
LANGUAGES = ("fr", "nl", "other")
# "faq" in the intent filter means any faq/<topic>.
ANY_FAQ = "faq"
_TAG = re.compile(r"[^\w\- ]+")


@dataclass(frozen=True)
class ConversationFilter:
    """What the list is filtered on; every field is optional."""

    language: str | None = None
    channel: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive
    intent: str | None = None
    fallback: bool | None = None
    handoff: bool | None = None
    booking: bool | None = None
    tag: str | None = None
    reviewed: bool | None = None
    search: str | None = None
    page: int = 1
    # "My conversations": those this consultant holds (``mine=1`` in the query).
    held_by: str | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, str], me: str | None = None) -> ConversationFilter:
        """From a URL's query string; unknown or malformed values are ignored.

        ``me``: the consultant reading, whose conversations ``mine=1`` keeps.
        """
        return cls(
            held_by=me if query.get("mine") == "1" else None,
            language=_choice(query.get("language"), LANGUAGES),
            channel=_text(query.get("channel"), 32),
            date_from=_date(query.get("from")),
            date_to=_date(query.get("to")),
            intent=_text(query.get("intent"), 120),
            fallback=_flag(query.get("fallback")),
            handoff=_flag(query.get("handoff")),
            booking=_flag(query.get("booking")),
            tag=normalise_tag(query.get("tag") or "") or None,
            reviewed=_flag(query.get("reviewed")),
            search=_text(query.get("q"), 200),
            page=min(max(_int(query.get("page"), 1), 1), MAX_PAGE),
        )

    def query(self, **changes: Any) -> dict[str, str]:
        """The query string of this filter (with ``changes``), for links to other pages."""
        values = replace(self, **changes)
        pairs = {
            "language": values.language,
            "channel": values.channel,
            "from": values.date_from.isoformat() if values.date_from else None,
            "to": values.date_to.isoformat() if values.date_to else None,
            "intent": values.intent,
            "fallback": _flag_text(values.fallback),
            "handoff": _flag_text(values.handoff),
            "booking": _flag_text(values.booking),
            "tag": values.tag,
            "reviewed": _flag_text(values.reviewed),
            "q": values.search,
            "page": str(values.page) if values.page > 1 else None,
            "mine": "1" if values.held_by else None,
        }
        return {k: v for k, v in pairs.items() if v}


def _choice(value: str | None, allowed: Sequence[str]) -> str | None:
    return value if value in allowed else None


def _text(value: str | None, limit: int) -> str | None:
    cleaned = (value or "").strip()
    return cleaned[:limit] or None


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _flag(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get((value or "").strip())


def _flag_text(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def _int(value: str | None, default: int) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


def normalise_tag(tag: str) -> str:
    """Lower-case words, hyphens and underscores, at most ``MAX_TAG`` characters."""
    return " ".join(_TAG.sub(" ", tag.strip().lower()).split())[:MAX_TAG]


def local_midnight(day: dt.date) -> float:
    return dt.datetime.combine(day, dt.time(), LOCAL_TIME).timestamp()


@dataclass(frozen=True)
class ConversationRow:
    """One line of the list (and the head of a transcript)."""

    id: int
    sender_id: str
    first_at: float
    last_at: float
    language: str | None
    channel: str | None
    user_messages: int
    fallbacks: int
    handoff: bool
    booking: bool
    intents: tuple[str, ...]
    tags: tuple[str, ...] = ()
    reviewed: bool = False


@dataclass(frozen=True)
class Page:
    items: list[ConversationRow]
    page: int
    has_next: bool
    filter: ConversationFilter = field(default_factory=ConversationFilter)


_LIST_COLUMNS = [
    conversations.c.id,
    conversations.c.sender_id,
    conversations.c.first_at,
    conversations.c.last_at,
    conversations.c.language,
    conversations.c.channel,
    conversations.c.user_messages,
    conversations.c.fallbacks,
    conversations.c.handoff,
    conversations.c.booking,
    conversations.c.intents,
]


def _conditions(f: ConversationFilter) -> list[ColumnElement[bool]]:
    c = conversations.c
    where: list[ColumnElement[bool]] = []
    if f.language == "other":
        where.append(or_(c.language.is_(None), c.language.not_in(("fr", "nl"))))
    elif f.language:
        where.append(c.language == f.language)
    if f.channel:
        where.append(c.channel == f.channel)
    if f.date_from:
        where.append(c.last_at >= local_midnight(f.date_from))
    if f.date_to:
        where.append(c.last_at < local_midnight(f.date_to + dt.timedelta(days=1)))
    for name in ("fallback", "handoff", "booking"):
        value = getattr(f, name)
        if value is not None:
            where.append(c[name] == value)
    if f.intent:
        ci = conversation_intents.c
        match = ci.intent.like("faq/%") if f.intent == ANY_FAQ else ci.intent == f.intent
        where.append(exists().where(and_(ci.sender_id == c.sender_id, match)))
    if f.tag:
        t = conversation_tags.c
        where.append(exists().where(and_(t.sender_id == c.sender_id, t.tag == f.tag)))
    if f.reviewed is not None:
        reviewed = exists().where(conversation_reviews.c.sender_id == c.sender_id)
        where.append(reviewed if f.reviewed else not_(reviewed))
    if f.search:
        where.append(_search(f.search))
    if f.held_by:
        h = conversation_takeovers.c
        where.append(exists().where(and_(h.sender_id == c.sender_id, h.held_by == f.held_by)))
    return where


def _search(term: str) -> ColumnElement[bool]:
    """Conversations whose user messages have words starting with each word of ``term``."""
    by_sender = conversations.c.sender_id == term.strip()
    keys = search_keys(term)
    if keys:  # a phone number or a booking reference
        return or_(by_sender, _with_words(conversations.c.sender_id, keys))
    found: list[ColumnElement[bool]] = []
    names = place_names(term)
    if names:  # a town, in one language or the other
        found.append(or_(*(_all_words(words_of(name)) for name in names)))
    else:
        for word in words_of(term)[:MAX_SEARCH_WORDS]:
            other_names = place_names(word)
            if other_names:
                found.append(or_(*(_all_words(words_of(name)) for name in other_names)))
            else:
                found.append(_prefix(word))
    if not found:
        return by_sender
    return or_(by_sender, and_(*found))


def _with_words(sender: Any, words: set[str]) -> ColumnElement[bool]:
    w = conversation_words.c
    return sender.in_(select(w.sender_id).where(w.word.in_(sorted(words))))


def _prefix(word: str) -> ColumnElement[bool]:
    """Conversations with a word starting with ``word``."""
    w = conversation_words.c
    # A prefix range rather than LIKE 'word%': both databases use the index for it.
    after = word[:-1] + chr(ord(word[-1]) + 1)
    return conversations.c.sender_id.in_(select(w.sender_id).where(w.word >= word, w.word < after))


def _all_words(words: Sequence[str]) -> ColumnElement[bool]:
    """Conversations with every one of ``words`` (a name of several words, as a prefix)."""
    return and_(*(_prefix(word) for word in words[:MAX_SEARCH_WORDS]))


def list_conversations(conn: Connection, f: ConversationFilter, page_size: int = PAGE_SIZE) -> Page:
    """One page of conversations, newest activity first."""
    statement = (
        select(*_LIST_COLUMNS)
        .where(and_(*_conditions(f)))
        .order_by(conversations.c.last_at.desc(), conversations.c.id.desc())
        .limit(page_size + 1)
        .offset((f.page - 1) * page_size)
    )
    rows = conn.execute(statement).all()
    items = _with_annotations(conn, [_row(r) for r in rows[:page_size]])
    return Page(items, f.page, len(rows) > page_size, f)


def _row(row: Any) -> ConversationRow:
    return ConversationRow(
        id=int(row.id),
        sender_id=row.sender_id,
        first_at=float(row.first_at),
        last_at=float(row.last_at),
        language=row.language,
        channel=row.channel,
        user_messages=int(row.user_messages),
        fallbacks=int(row.fallbacks),
        handoff=bool(row.handoff),
        booking=bool(row.booking),
        intents=tuple(i for i in (row.intents or "").split() if i),
    )


def _with_annotations(conn: Connection, items: list[ConversationRow]) -> list[ConversationRow]:
    senders = [item.sender_id for item in items]
    if not senders:
        return items
    tags: dict[str, list[str]] = {}
    t = conversation_tags.c
    for sender, tag in conn.execute(
        select(t.sender_id, t.tag).where(t.sender_id.in_(senders)).order_by(t.tag)
    ):
        tags.setdefault(sender, []).append(tag)
    r = conversation_reviews.c
    reviewed = {s for (s,) in conn.execute(select(r.sender_id).where(r.sender_id.in_(senders)))}
    return [
        replace(i, tags=tuple(tags.get(i.sender_id, ())), reviewed=i.sender_id in reviewed)
        for i in items
    ]


def get_conversation(conn: Connection, conversation_id: int) -> ConversationRow:
    """One conversation of the projection by its number; raises UnknownConversation."""
    row = conn.execute(select(*_LIST_COLUMNS).where(conversations.c.id == conversation_id)).first()
    if row is None:
        raise UnknownConversation(str(conversation_id))
    return _with_annotations(conn, [_row(row)])[0]


def events_of(conn: Connection, sender_id: str) -> list[rasa_events.StoredEvent]:
    """Every tracker event of one conversation, in order (Rasa's ``events`` table)."""
    if not rasa_events.exists(conn):
        return []
    table = rasa_events.events
    rows = conn.execute(select(table).where(table.c.sender_id == sender_id).order_by(table.c.id))
    return [rasa_events.from_row(row) for row in rows]


def all_tags(conn: Connection) -> list[str]:
    t = conversation_tags.c
    return [tag for (tag,) in conn.execute(select(t.tag).distinct().order_by(t.tag))]


def add_tag(conn: Connection, sender_id: str, tag: str, actor: str) -> str | None:
    """Tag a conversation (once); the tag as stored, or None when it was empty."""
    cleaned = normalise_tag(tag)
    if not cleaned:
        return None
    t = conversation_tags.c
    present = conn.execute(select(t.tag).where(t.sender_id == sender_id, t.tag == cleaned)).first()
    if present is None:
        conn.execute(
            insert(conversation_tags).values(
                sender_id=sender_id, tag=cleaned, created_by=actor, created_at=now_utc()
            )
        )
    return cleaned


def remove_tag(conn: Connection, sender_id: str, tag: str) -> None:
    t = conversation_tags.c
    conn.execute(
        delete(conversation_tags).where(t.sender_id == sender_id, t.tag == normalise_tag(tag))
    )


@dataclass(frozen=True)
class Note:
    id: int
    author: str
    text: str
    created_at: dt.datetime


def add_note(conn: Connection, sender_id: str, author: str, text: str) -> bool:
    """Add a note (trimmed, at most ``MAX_NOTE`` characters); False when empty."""
    cleaned = (text or "").strip()[:MAX_NOTE]
    if not cleaned:
        return False
    conn.execute(
        insert(conversation_notes).values(
            sender_id=sender_id, author=author, text=cleaned, created_at=now_utc()
        )
    )
    return True


def notes_of(conn: Connection, sender_id: str) -> list[Note]:
    n = conversation_notes.c
    rows = conn.execute(
        select(conversation_notes).where(n.sender_id == sender_id).order_by(n.created_at, n.id)
    )
    return [Note(int(r.id), r.author, r.text, r.created_at) for r in rows]


def set_reviewed(conn: Connection, sender_id: str, actor: str, reviewed: bool) -> None:
    r = conversation_reviews.c
    conn.execute(delete(conversation_reviews).where(r.sender_id == sender_id))
    if reviewed:
        conn.execute(
            insert(conversation_reviews).values(
                sender_id=sender_id, reviewed_by=actor, reviewed_at=now_utc()
            )
        )


def review_of(conn: Connection, sender_id: str) -> tuple[str, dt.datetime] | None:
    row = conn.execute(
        select(conversation_reviews).where(conversation_reviews.c.sender_id == sender_id)
    ).first()
    return (row.reviewed_by, row.reviewed_at) if row else None


def numbers_for(conn: Connection, senders: Sequence[str]) -> dict[str, int]:
    """The console's numbers of these conversations (those already projected)."""
    found: dict[str, int] = {}
    unique = sorted(set(senders))
    for start in range(0, len(unique), 500):
        rows = conn.execute(
            select(conversations.c.sender_id, conversations.c.id).where(
                conversations.c.sender_id.in_(unique[start : start + 500])
            )
        )
        found.update({row.sender_id: int(row.id) for row in rows})
    return found
