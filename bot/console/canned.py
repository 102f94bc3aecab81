"""Canned replies: what consultants write again and again, per language, kept by admins.

During a takeover the holder sends one in a click ("Je regarde votre dossier, un instant."),
in the conversation's language. Admins add and remove them (console, admin pages); a reply
holds no candidate data. Data functions take a connection and leave the transaction to
the caller.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.console.users import now_utc
from bot.errors import Refused
from bot.language.codes import SUPPORTED
from bot.storage.console import canned_replies

MAX_TITLE = 80
MAX_TEXT = 2000  # what the takeover's message box accepts


class InvalidReply(Refused):
    """A reply refused; ``reason`` names the catalog text (``console.replies.refused.*``)."""


@dataclass(frozen=True)
class CannedReply:
    id: int
    language: str
    title: str
    text: str
    created_by: str
    created_at: dt.datetime


def replies(conn: Connection, language: str | None = None) -> list[CannedReply]:
    """The replies (of one language when given), by language and title."""
    c = canned_replies.c
    statement = select(canned_replies).order_by(c.language, c.title)
    if language is not None:
        statement = statement.where(c.language == language)
    return [CannedReply(**row._mapping) for row in conn.execute(statement)]


def add(conn: Connection, language: str, title: str, text: str, actor: str) -> CannedReply:
    """Add a reply; raises InvalidReply (``language``, ``title``, ``text``, ``exists``)."""
    title, text = " ".join(title.split()), text.strip()
    if language not in SUPPORTED:
        raise InvalidReply("language")
    if not title or len(title) > MAX_TITLE:
        raise InvalidReply("title")
    if not text or len(text) > MAX_TEXT:
        raise InvalidReply("text")
    values = {"language": language, "title": title, "text": text, "created_by": actor}
    try:
        with conn.begin_nested():
            new_id = conn.execute(
                insert(canned_replies).values(**values, created_at=now_utc())
            ).inserted_primary_key[0]
    except IntegrityError:
        raise InvalidReply("exists") from None
    return next(r for r in replies(conn, language) if r.id == new_id)


def remove(conn: Connection, reply_id: int) -> bool:
    """Remove a reply; False when there was none."""
    result = conn.execute(delete(canned_replies).where(canned_replies.c.id == reply_id))
    return bool(result.rowcount)
