"""A conversation's tracker events as the transcript page shows them, personal data masked.

Each user message carries what the model understood: the detected language
(``parse_data.language``), the intent (``faq/<topic>`` for retrieval intents) and its
confidence, the entities; bot messages their text, buttons and response name; actions and
slot changes are listed between them.

Masking: e-mail addresses and phone numbers anywhere (:func:`bot.log.mask`), and every
value the conversation put in a personal slot (a name typed into the booking form appears
in the user's message, the slot event and perhaps the confirmation) are replaced by
``***`` unless the consultant asked to reveal them, which the caller audits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot.console.summary import (
    FALLBACK_ACTIONS,
    FALLBACK_LOOP,
    FORM_ANSWER_SLOTS,
    PERSONAL_SLOTS,
    REQUESTED_SLOT,
    full_intent,
)
from bot.language.codes import reply_language
from bot.log import MASK, mask, mask_emails
from bot.storage.rasa_events import StoredEvent

PERSONAL_ENTITIES = frozenset({"email", "phone", "person", "candidate_name"})
# Shown as a line of their own; others (user_featurization, active_loop...) are folded.
QUIET_ACTIONS = frozenset({"action_listen", "action_session_start"})
MIN_MASKED = 2


@dataclass(frozen=True)
class Entity:
    entity: str
    value: str


@dataclass(frozen=True)
class Entry:
    """One line of the transcript; ``kind`` is user, bot, action, slot or other."""

    kind: str
    at: float
    event_id: int | None
    text: str = ""
    name: str = ""
    language: str | None = None
    language_confidence: float | None = None
    intent: str | None = None
    confidence: float | None = None
    entities: tuple[Entity, ...] = ()
    buttons: tuple[str, ...] = ()
    value: str = ""
    fallback: bool = False
    masked: bool = False
    # A message a consultant sent during a live takeover (bot.handoff).
    consultant: bool = False
    # A user message typed while a form asked for a personal slot: not NLU material.
    form_answer: bool = False
    # A button the candidate clicked: ``text`` is its title, not the payload sent.
    button: bool = False


@dataclass
class Transcript:
    entries: list[Entry] = field(default_factory=list)
    # True when something was hidden: the page then offers to reveal it.
    has_personal_data: bool = False
    # A consultant is in charge (the last of Rasa's pause / resume events was a pause).
    paused: bool = False

    @property
    def technical(self) -> int:
        """How many slot events the page folds behind its "technical events" toggle."""
        return sum(1 for entry in self.entries if entry.kind == "slot")

    @property
    def waiting_since(self) -> float | None:
        """During a takeover, when the candidate wrote the message nobody answered yet."""
        messages = [entry for entry in self.entries if entry.kind in ("user", "bot")]
        if not self.paused or not messages or messages[-1].kind != "user":
            return None
        return messages[-1].at


def personal_values(events: Iterable[StoredEvent]) -> list[str]:
    """Values of personal slots and entities in the conversation, longest first."""
    values: set[str] = set()
    for event in events:
        data = event.data
        if event.type_name == "slot" and data.get("name") in PERSONAL_SLOTS:
            values |= _strings(data.get("value"))
        if event.type_name == "user":
            for entity in (data.get("parse_data") or {}).get("entities") or []:
                if entity.get("entity") in PERSONAL_ENTITIES:
                    values |= _strings(entity.get("value"))
    return sorted((v for v in values if len(v) >= MIN_MASKED), key=len, reverse=True)


def _strings(value: Any) -> set[str]:
    if isinstance(value, str) and value.strip() not in ("", "-"):
        return {value.strip()}
    if isinstance(value, list):
        return {str(v).strip() for v in value if isinstance(v, str) and v.strip()}
    return set()


class Masker:
    """Replaces e-mails, phones and the conversation's personal values by ``***``."""

    def __init__(self, values: Sequence[str], reveal: bool) -> None:
        self.reveal = reveal
        self.hid_something = False
        self._pattern = (
            re.compile("|".join(re.escape(v) for v in values), re.IGNORECASE) if values else None
        )

    def __call__(self, text: str, everything: bool = True) -> str:
        """``text`` masked; ``everything=False`` (the bot's own texts) keeps phone numbers
        other than the candidate's, so that the services' public numbers stay readable."""
        if self.reveal or not text:
            return text
        hidden = mask(text) if everything else mask_emails(text)
        if self._pattern is not None:
            hidden = self._pattern.sub(MASK, hidden)
        if hidden != text:
            self.hid_something = True
        return hidden


def build(events: Sequence[StoredEvent], reveal: bool = False) -> Transcript:
    """The transcript of one conversation's events (in order)."""
    masker = Masker(personal_values(events), reveal)
    entries: list[Entry] = []
    last_user: int | None = None
    in_loop = paused = False
    asked: str | None = None  # the slot the active form asks for (bot.console.summary)
    offered: dict[str, str] = {}  # payload -> title of the buttons since the last message
    for event in events:
        asked = _asked_after(event, asked)
        if event.type_name == "active_loop":
            in_loop = event.data.get("name") == FALLBACK_LOOP
        elif event.type_name in ("pause", "resume"):
            paused = event.type_name == "pause"
        entry = _entry(event, masker)
        if entry is None:
            continue
        if entry.kind == "bot":
            offered.update(_buttons(event, masker))
        elif entry.kind == "user":
            last_user = len(entries)
            typed = str(event.data.get("text") or "").strip()
            if typed in offered:
                entry = replace(entry, text=offered[typed], button=True)
            offered = {}
            if asked in FORM_ANSWER_SLOTS:
                entry = replace(entry, form_answer=True, fallback=False)
        elif entry.kind == "action" and entry.name in FALLBACK_ACTIONS and not in_loop:
            # The dialogue fell back right after this message: it was not understood.
            if last_user is not None:
                previous = entries[last_user]
                if not previous.fallback and not previous.form_answer:
                    entries[last_user] = replace(previous, fallback=True)
        entries.append(entry)
    return Transcript(entries, masker.hid_something, paused)


def _buttons(event: StoredEvent, masker: Masker) -> dict[str, str]:
    """Payload -> title of the buttons of a bot message (what a click sends, what it said)."""
    found: dict[str, str] = {}
    for button in (event.data.get("data") or {}).get("buttons") or []:
        payload, title = button.get("payload"), button.get("title")
        if isinstance(payload, str) and payload.strip() and title:
            found[payload.strip()] = masker(str(title), everything=False)
    return found


def _asked_after(event: StoredEvent, asked: str | None) -> str | None:
    """The form's ``requested_slot`` after ``event``, as the projection follows it."""
    kind = event.type_name
    if kind == "slot" and event.data.get("name") == REQUESTED_SLOT:
        value = event.data.get("value")
        return str(value) if value else None
    if (
        kind == "active_loop"
        and not event.data.get("name")
        or kind in ("restart", "session_started")
    ):
        return None
    return asked


def _entry(event: StoredEvent, masker: Masker) -> Entry | None:
    data = event.data
    kind = event.type_name
    if kind == "user":
        return _user(event, masker)
    if kind == "bot":
        buttons = tuple(
            masker(str(b.get("title") or ""), everything=False)
            for b in (data.get("data") or {}).get("buttons") or []
        )
        metadata = data.get("metadata") or {}
        consultant = metadata.get("kind") == "consultant_message"
        return Entry(
            "bot",
            event.timestamp,
            event.id,
            text=masker(str(data.get("text") or ""), everything=False),
            name=str(metadata.get("utter_action") or metadata.get("kind") or ""),
            buttons=buttons,
            consultant=consultant,
            language=reply_language(metadata),
        )
    if kind == "action":
        name = str(data.get("name") or "")
        if name in QUIET_ACTIONS:
            return None
        return Entry(
            "action",
            event.timestamp,
            event.id,
            name=name,
            confidence=_float(data.get("confidence")),
        )
    if kind == "slot":
        name = str(data.get("name") or "")
        value = data.get("value")
        shown = "" if value is None else masker(str(value))
        if name in PERSONAL_SLOTS and value not in (None, "") and not masker.reveal:
            shown, masker.hid_something = MASK, True
        return Entry(
            "slot", event.timestamp, event.id, name=name, value=shown, masked=shown == MASK
        )
    if kind in ("session_started", "restart", "rewind", "undo", "pause", "resume"):
        return Entry("other", event.timestamp, event.id, name=kind)
    return None


def _user(event: StoredEvent, masker: Masker) -> Entry:
    data = event.data
    parse = data.get("parse_data") or {}
    detected = parse.get("language") if isinstance(parse.get("language"), dict) else {}
    entities = tuple(
        Entity(str(e.get("entity") or ""), _entity_value(e, masker))
        for e in parse.get("entities") or []
    )
    intent = parse.get("intent") or {}
    return Entry(
        "user",
        event.timestamp,
        event.id,
        text=masker(str(data.get("text") or "")),
        language=(detected or {}).get("name"),
        language_confidence=_float((detected or {}).get("confidence")),
        intent=full_intent(parse),
        confidence=_float(intent.get("confidence")),
        entities=entities,
        name=str(data.get("input_channel") or ""),
        fallback=intent.get("name") == "nlu_fallback",
    )


def _entity_value(entity: dict[str, Any], masker: Masker) -> str:
    value = str(entity.get("value") if entity.get("value") is not None else "")
    if entity.get("entity") in PERSONAL_ENTITIES and not masker.reveal and value:
        masker.hid_something = True
        return MASK
    return masker(value)


def _float(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None
