"""Console inbox: why a message is there (reason, reported_by); form answers purged.

Until this revision, what a candidate typed into a form (a name, an e-mail address, a phone
number, a moment, a booking reference) reached the training-data inbox when the model read
it with low confidence, and from there a training export. This revision deletes those rows,
takes their fallbacks off their conversations' counts (a name read as ``nlu_fallback`` was
no misunderstanding), and writes the slot each conversation's form is asking for into the
projection's state, so that the next answer is recognised too.

The rule is written out here rather than imported from ``bot.console.summary``: a migration
must do tomorrow what it does today.

Revision ID: console_0002
Revises: console_0001
Create Date: 2026-12-07 19:00:00
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "console_0002"
down_revision = "console_0001"
branch_labels = None
depends_on = None

# bot.console.summary.FORM_ANSWER_SLOTS as of this revision.
FORM_ANSWER_SLOTS = frozenset(
    {
        "candidate_name",
        "candidate_email",
        "candidate_phone",
        "name",
        "email",
        "phone",
        "callback_name",
        "callback_phone",
        "callback_email",
        "callback_email_typo",
        "callback_moment",
        "booking_reference",
    }
)
CHUNK = 500

events = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("data", sa.Text),
)
inbox = sa.table(
    "inbox_messages",
    sa.column("sender_id", sa.String),
    sa.column("message_key", sa.String),
    sa.column("fallback", sa.Boolean),
)
conversations = sa.table(
    "conversations",
    sa.column("sender_id", sa.String),
    sa.column("fallbacks", sa.Integer),
    sa.column("fallback", sa.Boolean),
    sa.column("state", sa.Text),
)


def upgrade() -> None:
    with op.batch_alter_table("inbox_messages") as batch:
        batch.add_column(sa.Column("reason", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("reported_by", sa.String(length=254), nullable=True))
    connection = op.get_bind()
    if not sa.inspect(connection).has_table("events"):
        return  # Rasa never ran on this database: no conversation, nothing to purge
    for chunk in _chunks(_senders_with_forms(connection)):
        for sender, (keys, asked) in _form_answers(connection, chunk).items():
            _purge(connection, sender, keys)
            _remember(connection, sender, asked)


def _senders_with_forms(connection: Any) -> list[str]:
    statement = (
        sa.select(events.c.sender_id)
        .where(events.c.type_name == "slot", events.c.data.like('%"requested_slot"%'))
        .distinct()
    )
    return sorted(str(sender) for (sender,) in connection.execute(statement))


def _chunks(items: list[str]) -> list[list[str]]:
    return [items[start : start + CHUNK] for start in range(0, len(items), CHUNK)]


def _form_answers(connection: Any, senders: list[str]) -> dict[str, tuple[set[str], str | None]]:
    """Per conversation: the message keys of its form answers and the slot asked for now."""
    kinds = ("slot", "active_loop", "user", "restart", "session_started")
    rows = connection.execute(
        sa.select(events.c.sender_id, events.c.type_name, events.c.data)
        .where(events.c.sender_id.in_(senders), events.c.type_name.in_(kinds))
        .order_by(events.c.id)
    )
    asked: dict[str, str | None] = defaultdict(lambda: None)
    keys: dict[str, set[str]] = defaultdict(set)
    for sender, kind, text in rows:
        try:
            data = json.loads(text or "{}")
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        if kind == "slot":
            if data.get("name") == "requested_slot":
                asked[sender] = str(data["value"]) if data.get("value") else None
        elif kind == "user":
            if asked[sender] in FORM_ANSWER_SLOTS:
                keys[sender].add(_message_key(data))
        elif kind != "active_loop" or not data.get("name"):
            asked[sender] = None  # a form that ends, a restart, a new session
    return {sender: (keys[sender], asked[sender]) for sender in senders}


def _message_key(data: dict[str, Any]) -> str:
    """bot.console.summary.message_key of a user event."""
    message_id = data.get("message_id")
    return str(message_id)[:120] if message_id else f"ts:{float(data.get('timestamp') or 0):.6f}"


def _purge(connection: Any, sender: str, keys: set[str]) -> None:
    if not keys:
        return
    where = sa.and_(inbox.c.sender_id == sender, inbox.c.message_key.in_(sorted(keys)))
    fallbacks = connection.execute(
        sa.select(sa.func.count()).select_from(inbox).where(where, inbox.c.fallback.is_(True))
    ).scalar()
    connection.execute(sa.delete(inbox).where(where))
    if fallbacks:
        remaining = sa.case(
            (conversations.c.fallbacks > fallbacks, conversations.c.fallbacks - fallbacks),
            else_=0,
        )
        connection.execute(
            sa.update(conversations)
            .where(conversations.c.sender_id == sender)
            .values(fallbacks=remaining, fallback=remaining > 0)
        )


def _remember(connection: Any, sender: str, asked: str | None) -> None:
    state = connection.execute(
        sa.select(conversations.c.state).where(conversations.c.sender_id == sender)
    ).scalar()
    if state is None:
        return
    try:
        values = json.loads(state or "{}")
    except ValueError:
        values = {}
    values["requested_slot"] = asked
    connection.execute(
        sa.update(conversations)
        .where(conversations.c.sender_id == sender)
        .values(state=json.dumps(values))
    )


def downgrade() -> None:
    # The purged rows held personal data: they are not brought back.
    with op.batch_alter_table("inbox_messages") as batch:
        batch.drop_column("reported_by")
        batch.drop_column("reason")
