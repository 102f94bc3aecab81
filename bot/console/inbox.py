"""The training-data inbox: poorly understood user messages, labelled by consultants.

The projection puts a user message here when its intent confidence was below
``BOT_INBOX_CONFIDENCE`` (default 0.6) or it ended in fallback (``nlu_fallback``, or a
fallback action right after it), and a random share ``BOT_INBOX_SAMPLE`` of the others (a
confident mistake is found no other way); a consultant adds any user message of a
transcript with "this answer was wrong" (:func:`report`). A consultant confirms the
suggested intent, corrects it (any intent of the domain, ``faq/<topic>`` included) or
ignores the message.

Form answers (what the candidate typed while a form asked for a name, an e-mail address, a
phone number, a moment or a booking reference) never come here: they are personal data, not
NLU material (``bot.console.summary``; migration ``console_0002`` purged the older ones).

:func:`export_yaml` writes the labelled messages of one language as a Rasa 3 NLU file for
``data/nlu_fr/`` or ``data/nlu_nl/``: split by the detected language (the conversation's
language when the detection was neither), retrieval intents as ``faq/<topic>``, e-mails
and phone numbers masked (``bot.log.mask``), and without the sentences that the training
data already has (``bot.training.data``) or that repeat each other.
:func:`write_training_data` adds them to ``data/nlu_<language>/console_inbox.yml`` itself
(the Models page, before training), where git shows them for review; a message labelled
into an intent whose examples live only in the other language's files is refused there.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot.config import PROJECT_DIR
from bot.console import summary
from bot.console.conversations import events_of
from bot.console.users import now_utc
from bot.log import mask
from bot.storage.console import conversations, inbox_messages
from bot.text import fold
from bot.training import data as training_data

PAGE_SIZE = 30
EXPORT_FILE = "console_inbox.yml"
LANGUAGES = ("fr", "nl")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
# "[Kortrijk](location)" or "{...}" would be read as entity annotations by Rasa.
_BRACKETS = str.maketrans({"[": "(", "]": ")", "{": "(", "}": ")"})
# Reasons that put a message in the inbox whatever its confidence.
ALWAYS = ("sample", "reported")


@dataclass(frozen=True)
class InboxItem:
    id: int
    sender_id: str
    conversation_id: int | None
    event_id: int | None
    at: float
    text: str
    language: str | None
    intent: str | None
    confidence: float | None
    suggested_intent: str | None
    fallback: bool
    status: str
    label: str | None
    labelled_by: str | None
    reason: str | None = None


def _language() -> Any:
    """The language a message is exported in: detected, else the conversation's."""
    m = inbox_messages.c
    return case((m.language.in_(LANGUAGES), m.language), else_=conversations.c.language)


def _shown(threshold: float) -> Any:
    """The inbox rows the inbox shows under the current threshold."""
    m = inbox_messages.c
    return or_(m.fallback.is_(True), m.confidence < threshold, m.reason.in_(ALWAYS))


def list_inbox(
    conn: Connection,
    threshold: float,
    status: str = "open",
    language: str | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> tuple[list[InboxItem], bool]:
    """One page of inbox messages, newest first; and whether there is a next page."""
    m = inbox_messages.c
    where = [m.status == status, _shown(threshold)]
    if language:
        where.append(_language() == language)
    statement = (
        select(inbox_messages, conversations.c.id.label("conversation_id"))
        .select_from(
            inbox_messages.outerjoin(conversations, conversations.c.sender_id == m.sender_id)
        )
        .where(and_(*where))
        .order_by(m.at.desc(), m.id.desc())
        .limit(page_size + 1)
        .offset((max(page, 1) - 1) * page_size)
    )
    rows = conn.execute(statement).all()
    return [_item(r) for r in rows[:page_size]], len(rows) > page_size


def _item(row) -> InboxItem:  # type: ignore[no-untyped-def]
    return InboxItem(
        id=int(row.id),
        sender_id=row.sender_id,
        conversation_id=row.conversation_id,
        event_id=row.event_id,
        at=float(row.at),
        text=mask(row.text),
        language=row.language,
        intent=row.intent,
        confidence=row.confidence,
        suggested_intent=row.suggested_intent,
        fallback=bool(row.fallback),
        status=row.status,
        label=row.label,
        labelled_by=row.labelled_by,
        reason=row.reason,
    )


def label(conn: Connection, item_id: int, intent: str, actor: str, choices: Sequence[str]) -> bool:
    """Give a message its right intent (one of ``choices``); False for an unknown intent."""
    if intent not in choices:
        return False
    result = conn.execute(
        update(inbox_messages)
        .where(inbox_messages.c.id == item_id)
        .values(status="labelled", label=intent, labelled_by=actor, labelled_at=now_utc())
    )
    return bool(result.rowcount)


def report(conn: Connection, sender_id: str, event_id: int, actor: str) -> str:
    """ "This answer was wrong": put one user message of a transcript in the inbox, open.

    Returns "reported", "form_answer" (a form answer is personal data and stays out: the
    transcript offers no button for it, this refuses a crafted request) or "not_found".
    A message already in the inbox is opened again with the reason "reported".
    """
    events = [e for e in events_of(conn, sender_id) if e.id is not None and e.id <= event_id]
    if not events or events[-1].id != event_id or events[-1].type_name != "user":
        return "not_found"
    last = summary.apply(None, events).summary.last_user
    if last is None or last.form_answer:
        return "form_answer"
    row = {
        "sender_id": sender_id,
        "message_key": last.key,
        "event_id": last.event_id,
        "at": last.at,
        "text": last.text,
        "language": last.language,
        "intent": last.intent,
        "confidence": last.confidence,
        "suggested_intent": last.suggested_intent,
        "fallback": last.fallback,
    }
    reported = {"reason": "reported", "reported_by": actor, "status": "open", "label": None}
    reported |= {"labelled_by": None, "labelled_at": None}
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(
        dialect.insert(inbox_messages)
        .values({**row, **reported})
        .on_conflict_do_update(index_elements=["sender_id", "message_key"], set_=reported)
    )
    return "reported"


def ignore(conn: Connection, item_id: int, actor: str) -> bool:
    """Leave a message out of the training data (gibberish, personal story, test)."""
    result = conn.execute(
        update(inbox_messages)
        .where(inbox_messages.c.id == item_id)
        .values(status="ignored", label=None, labelled_by=actor, labelled_at=now_utc())
    )
    return bool(result.rowcount)


def reopen(conn: Connection, item_id: int) -> bool:
    result = conn.execute(
        update(inbox_messages)
        .where(inbox_messages.c.id == item_id)
        .values(status="open", label=None, labelled_by=None, labelled_at=None)
    )
    return bool(result.rowcount)


def counts(conn: Connection, threshold: float) -> dict[str, int]:
    """Messages per status (the inbox's tabs)."""
    m = inbox_messages.c
    statement = select(m.status, func.count()).where(_shown(threshold)).group_by(m.status)
    found = {"open": 0, "labelled": 0, "ignored": 0}
    found.update({status: int(n) for status, n in conn.execute(statement)})
    return found


def clean_example(text: str) -> str:
    """One line of training data: personal data masked, no annotations, no line breaks."""
    line = _CONTROL.sub(" ", mask(text)).translate(_BRACKETS)
    return " ".join(line.split())


def _key(text: str) -> str:
    return " ".join(fold(text).split()).strip(" .!?")


def existing_examples(language: str, data_dir: Path = PROJECT_DIR / "data") -> set[str]:
    """The training sentences of ``data/nlu_<language>/``, folded for comparison."""
    found = training_data.examples_in(data_dir / f"nlu_{language}", plain=True)
    return {_key(line) for lines in found.values() for line in lines}


@dataclass(frozen=True)
class Export:
    text: str
    examples: int
    duplicates: int


def labelled_examples(conn: Connection, language: str) -> list[tuple[str, str]]:
    """(intent, raw text) of the labelled messages in ``language``, oldest first."""
    m = inbox_messages.c
    statement = (
        select(m.label, m.text)
        .select_from(
            inbox_messages.outerjoin(conversations, conversations.c.sender_id == m.sender_id)
        )
        .where(m.status == "labelled", m.label.is_not(None), _language() == language)
        .order_by(m.at, m.id)
    )
    return [(label, text) for label, text in conn.execute(statement)]


def export_yaml(
    conn: Connection,
    language: str,
    data_dir: Path = PROJECT_DIR / "data",
    today: dt.date | None = None,
) -> Export:
    """A Rasa 3 NLU file of the new labelled examples in ``language``."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be fr or nl, got {language!r}")
    known = existing_examples(language, data_dir)
    by_intent: dict[str, list[str]] = {}
    duplicates = 0
    for intent, raw in labelled_examples(conn, language):
        line = clean_example(raw)
        key = _key(line)
        if not key or line.startswith("/") or key in known:
            duplicates += 1
            continue
        known.add(key)
        by_intent.setdefault(intent, []).append(line)
    day = (today or now_utc().date()).isoformat()
    count = sum(len(lines) for lines in by_intent.values())
    return Export(_render(by_intent, language, day, count), count, duplicates)


def _render(by_intent: dict[str, list[str]], language: str, day: str, count: int) -> str:
    lines = [
        f"# {count} examples labelled in the consultant console, exported {day}.",
        f"# For data/nlu_{language}/ (keep the same file name on both sides: {EXPORT_FILE}).",
        "# E-mail addresses and phone numbers are masked; review before training.",
        'version: "3.1"',
    ]
    if not by_intent:
        return "\n".join([*lines, "nlu: []", ""])
    lines.append("nlu:")
    for intent in sorted(by_intent):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {example}" for example in by_intent[intent]]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Written:
    """What :func:`write_training_data` did in one language."""

    language: str
    path: Path
    added: int
    duplicates: int
    # intent -> labelled messages refused: its examples live in the other language's files.
    refused: dict[str, int]


def _trained_intents(folder: Path) -> set[str]:
    """The intents ``folder``'s files teach, the console's own file left aside."""
    return {
        intent
        for path in sorted(folder.glob("*.yml"))
        if path.name != EXPORT_FILE
        for intent in training_data.examples(path)
    }


def write_training_data(
    conn: Connection, data_dir: Path = PROJECT_DIR / "data", today: dt.date | None = None
) -> list[Written]:
    """Add the new labelled messages to ``data/nlu_<language>/console_inbox.yml`` (both
    files are written, empty ones too: both languages keep the same file names)."""
    written = []
    for language in LANGUAGES:
        other = next(code for code in LANGUAGES if code != language)
        folder = data_dir / f"nlu_{language}"
        path = folder / EXPORT_FILE
        kept = training_data.examples(path) if path.is_file() else {}
        own, theirs = _trained_intents(folder), _trained_intents(data_dir / f"nlu_{other}")
        known = existing_examples(language, data_dir)
        added = duplicates = 0
        refused: dict[str, int] = {}
        for intent, raw in labelled_examples(conn, language):
            if intent not in own and intent in theirs:
                refused[intent] = refused.get(intent, 0) + 1
                continue
            line = clean_example(raw)
            key = _key(line)
            if not key or line.startswith("/") or key in known:
                duplicates += 1
                continue
            known.add(key)
            kept.setdefault(intent, []).append(line)
            added += 1
        day = (today or now_utc().date()).isoformat()
        count = sum(len(lines) for lines in kept.values())
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(_render(kept, language, day, count), encoding="utf-8")
        written.append(Written(language, path, added, duplicates, refused))
    return written
