"""The console's audit trail: who did what, and when, never whose data.

An entry names the consultant (the actor is not the data subject), the action and what
is safe to keep: counts, the projection's conversation number. A candidate's e-mail,
phone or Rasa sender id (a phone number on WhatsApp) is never written here, so that an
erasure leaves an audit entry that proves it happened without undoing it (pretix's
shredder keeps its log rows but masks them for the same reason).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from bot.console.users import now_utc
from bot.storage.console import audit

ACTIONS = (
    "sign_in",
    "reveal",
    "export_candidate",
    "erase_candidate",
    "purge",
    "user_created",
    "user_changed",
    "inbox_export",
    "attendees_export",
    "booking_cancelled",
    "session_saved",
    "takeover",
    "takeover_transferred",
    "takeover_idle",
    "takeover_given",
    "reply_saved",
    "reply_deleted",
    "callback_note",
    "callback_attempt",
    "callback_outcome",
    "model_training",
    "model_activated",
    "model_rolled_back",
    "inbox_written",
)


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    details: dict[str, Any]


def record(conn: Connection, actor: str, action: str, **details: int | str | None) -> None:
    """Add one entry; ``details`` hold counts and ids only (see the module docstring)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    conn.execute(
        insert(audit).values(
            at=now_utc(), actor=actor, action=action, details=json.dumps(details, sort_keys=True)
        )
    )


def recent(conn: Connection, limit: int = 100, action: str | None = None) -> list[AuditEntry]:
    statement = select(audit).order_by(audit.c.at.desc(), audit.c.id.desc()).limit(limit)
    if action is not None:
        statement = statement.where(audit.c.action == action)
    return [
        AuditEntry(row.at, row.actor, row.action, json.loads(row.details or "{}"))
        for row in conn.execute(statement)
    ]
