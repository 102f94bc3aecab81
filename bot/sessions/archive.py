"""Archiving a session: a past one, or a test one nobody holds a place in.

An archived session leaves the console's lists and every list candidates see, and takes no
booking (a session archived before it starts is cancelled too); its rows stay, so the
statistics still count its bookings. A future session with confirmed or waiting bookings is
refused: cancel it first, which tells its candidates.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from bot.errors import Refused
from bot.sessions.booking import audit
from bot.sessions.model import OPEN_STATUSES, InfoSession, now_utc
from bot.sessions.queries import get_session
from bot.storage.sessions import info_sessions as sessions_table
from bot.storage.sessions import session_bookings as bookings_table


class ArchiveRefused(Refused):
    """Not archived: ``has_bookings`` (a future session candidates hold places in)."""


def archive_session(
    conn: Connection, session_id: int, actor: str, now: dt.datetime | None = None
) -> InfoSession:
    """Archive the session (again: nothing changes); the session as it now is.

    Raises:
        SessionNotFound: no such session.
        ArchiveRefused: a session not yet over that candidates hold places in.
    """
    now = now or now_utc()
    session = get_session(conn, session_id)
    if session.archived_at is not None:
        return session
    over = session.ends_at <= now
    if not over:
        b = bookings_table.c
        held = conn.execute(
            select(func.count()).where(
                b.session_id == session_id, b.status.in_(("confirmed", "waitlisted"))
            )
        ).scalar_one()
        if held:
            raise ArchiveRefused("has_bookings")
    values: dict[str, object] = {"archived_at": now, "updated_at": now}
    if not over and session.status in OPEN_STATUSES:
        values["status"] = "cancelled"  # takes no booking any more
    conn.execute(update(sessions_table).where(sessions_table.c.id == session_id).values(**values))
    audit(conn, now, actor, "archived", session_id=session_id)
    return get_session(conn, session_id)
