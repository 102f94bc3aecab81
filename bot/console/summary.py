"""One summary per conversation, folded from its tracker events: a pure function.

``apply(summary, events)`` takes the summary so far (``None`` for a new conversation) and
the conversation's next events, in order, and returns the new summary and the messages for
the training-data inbox. It reads nothing else, so the same function serves the SQL path
(``bot.console.projection.refresh_projection`` reads Rasa's ``events`` table) and a later
event-broker path (RabbitMQ delivers the same event dicts).

What a summary says:
- ``language``: the conversation's language, the ``language`` slot as ``action_set_language``
  decided it, else the last confident detection of a user message;
- ``channel``: the input channel of the first user message (rest, socketio, telegram...);
- ``fallback``: a user message classified ``nlu_fallback``, or a fallback action after it
  (not the two-stage fallback loop handling the candidate's answer);
- ``user_messages``: what the candidate typed (the copy Rasa stores again after a
  rephrasing the fallback loop understood is not counted twice);
- ``handoff``: the candidate asked for a person (``ask_human``) or a handoff action ran;
- ``booking``: the assistant confirmed a booking (or a place on the waiting list);
- ``intents``: every intent of the conversation, retrieval intents as ``faq/<topic>``;
- ``words``: what the list search looks up: the folded words of the user messages, and keys
  for the phone numbers (``tel:+32470123456``, whatever way they were typed) and booking
  references (``ref:k7p2-qx9m``) of the candidate's messages and form slots, and the
  references of the assistant's confirmations (:func:`search_keys`).

Form answers: what the candidate types while a form asks for a personal slot (a name, an
e-mail address, a phone number, a moment, a booking reference) is personal data, not NLU
material. It never enters the inbox (however it was classified, sampled or not), and a
name read as ``nlu_fallback`` is not a misunderstanding: it counts as a user message but
neither as a fallback nor among the conversation's intents.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from bot.contact import normalise_phone
from bot.errors import InvalidPhone
from bot.references import references_in
from bot.storage.rasa_events import StoredEvent
from bot.text import fold

FALLBACK_INTENT = "nlu_fallback"
# While this loop runs, its action answers the candidate's reply ("yes", a rephrasing):
# only its first run, right after a message, means that message was not understood.
FALLBACK_LOOP = "action_two_stage_fallback"
FALLBACK_ACTIONS = frozenset(
    {
        "action_default_fallback",
        "action_two_stage_fallback",
        "action_default_ask_affirmation",
        "action_default_ask_rephrase",
    }
)
HANDOFF_INTENTS = frozenset({"ask_human"})
# Actions of the handoff feature (actions/handoff.py) that mean a person was asked for.
HANDOFF_ACTIONS = frozenset(
    {"action_handoff", "action_ask_callback_consent", "action_request_callback"}
)
# Responses of the sessions feature that confirm a booking (bot/sessions/, actions/).
BOOKING_RESPONSES = frozenset({"utter_booking_confirmed", "utter_booking_waitlisted"})
LANGUAGES = frozenset({"fr", "nl"})
# Slots that hold what a candidate typed about themselves (booking form, callbacks): the
# transcript masks their values, the privacy tools search them.
PERSONAL_SLOTS = frozenset(
    {
        "candidate_name",
        "candidate_email",
        "alert_email",
        "candidate_phone",
        "name",
        "email",
        "phone",
        "callback_name",
        "callback_phone",
        "callback_email",
        "callback_email_typo",
    }
)
# A message typed while a form asks for one of these is a form answer (see the docstring).
FORM_ANSWER_SLOTS = PERSONAL_SLOTS | {"callback_moment", "booking_reference"}
REQUESTED_SLOT = "requested_slot"
# A detection this sure, on a message of this many words, names the conversation's language
# when no ``language`` slot was set (older conversations, other assistants).
SURE_DETECTION = 0.8
# The list search finds conversations by the words of their user messages: folded words of
# two to MAX_WORD letters, at most MAX_WORDS distinct ones per conversation.
MAX_WORDS = 400
MIN_WORD, MAX_WORD = 2, 40
_WORD = re.compile(r"\w+")
# A phone number as typed: digits with spaces, dots, dashes, brackets, a leading + or 00.
_PHONE = re.compile(r"\+?\(?\d[\d\s./()-]{6,}\d")
# Slots whose values are phone numbers or booking references (search keys).
PHONE_SLOTS = frozenset({"candidate_phone", "callback_phone", "phone"})
REFERENCE_SLOTS = frozenset({"booking_reference"})
LOCAL_TIME = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class UserMessage:
    """A user message as the inbox and later events need it."""

    key: str
    event_id: int | None
    at: float
    text: str
    language: str | None
    intent: str | None
    confidence: float | None
    suggested_intent: str | None
    fallback: bool = False
    # Typed while a form asked for a personal slot: never inbox material.
    form_answer: bool = False
    # Why it is in the inbox: "low" (confidence), "fallback", "sample" or "reported".
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> UserMessage:
        values: dict[str, Any] = {name: data.get(name) for name in cls.__dataclass_fields__}
        values["fallback"] = bool(values["fallback"])
        values["form_answer"] = bool(values["form_answer"])
        return cls(**values)


@dataclass(frozen=True)
class Summary:
    """What the conversation list shows and filters on, for one conversation."""

    sender_id: str
    first_at: float
    last_at: float
    language: str | None = None
    channel: str | None = None
    events: int = 0
    user_messages: int = 0
    bot_messages: int = 0
    fallbacks: int = 0
    handoff: bool = False
    booking: bool = False
    intents: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()
    # Set by the language slot: a detection no longer overrides it.
    language_from_slot: bool = False
    last_user: UserMessage | None = None
    in_fallback_loop: bool = False
    # The slot the active form asks for (Rasa's ``requested_slot``), None outside a form.
    requested_slot: str | None = None

    @property
    def fallback(self) -> bool:
        return self.fallbacks > 0

    @property
    def first_day(self) -> dt.date:
        """The local day (Lille, Kortrijk: one time zone) the conversation started."""
        return dt.datetime.fromtimestamp(self.first_at, LOCAL_TIME).date()

    def state(self) -> dict[str, Any]:
        """What a later batch of events needs besides the list columns (stored as JSON)."""
        return {
            "language_from_slot": self.language_from_slot,
            "last_user": self.last_user.as_dict() if self.last_user else None,
            "in_fallback_loop": self.in_fallback_loop,
            "requested_slot": self.requested_slot,
        }


@dataclass
class Update:
    """The result of :func:`apply`: the new summary, and inbox messages new or changed."""

    summary: Summary
    inbox: list[UserMessage] = field(default_factory=list)


def full_intent(parse_data: Mapping[str, Any]) -> str | None:
    """The intent with its retrieval key: ``faq/taxes`` rather than ``faq``."""
    detected = parse_data.get("intent") or {}
    intent = detected.get("name")
    if not intent:
        return None
    if detected.get("full_retrieval_intent_name"):  # Rasa 3.6 adds it for retrieval intents
        return str(detected["full_retrieval_intent_name"])
    selected = (parse_data.get("response_selector") or {}).get(intent) or {}
    key = (selected.get("response") or {}).get("intent_response_key")
    return str(key) if key else str(intent)


def suggested_intent(parse_data: Mapping[str, Any]) -> str | None:
    """The best guess that is not ``nlu_fallback`` (the ranking keeps it)."""
    intent = full_intent(parse_data)
    if intent and intent != FALLBACK_INTENT:
        return intent
    for candidate in parse_data.get("intent_ranking") or []:
        name = candidate.get("name")
        if name and name != FALLBACK_INTENT:
            if name == "faq":
                return full_intent({**parse_data, "intent": {"name": "faq"}})
            return str(name)
    return None


def words_of(text: str) -> list[str]:
    """The searchable words of a message: folded ("Liège" -> "liege"), in order, once each."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(fold(text)):
        if MIN_WORD <= len(word) <= MAX_WORD and not word.isdigit():
            seen.setdefault(word, None)
    return list(seen)


def phone_keys(text: str) -> set[str]:
    """``tel:<E.164>`` of each Belgian or French number in ``text``, however typed."""
    keys = set()
    for found in _PHONE.finditer(text):
        try:
            keys.add(f"tel:{normalise_phone(found.group(0))}")
        except InvalidPhone:
            continue
    return keys


def search_keys(text: str, phones: bool = True) -> set[str]:
    """The search keys of ``text``: its phone numbers (if ``phones``) and booking references.

    Keys hold a colon, which no word has, so that they never mix with the words.
    """
    keys = {f"ref:{reference.lower()}" for reference in references_in(text)}
    return keys | phone_keys(text) if phones else keys


def message_key(event: StoredEvent) -> str:
    """Rasa's message id of a user event, which is unique in its conversation."""
    message_id = event.data.get("message_id")
    return str(message_id)[:120] if message_id else f"ts:{event.timestamp:.6f}"


def user_message(event: StoredEvent, form_answer: bool = False) -> UserMessage:
    parse = event.data.get("parse_data") or {}
    intent = parse.get("intent") or {}
    detected = parse.get("language") or {}
    confidence = intent.get("confidence")
    return UserMessage(
        key=message_key(event),
        event_id=event.id,
        at=event.timestamp,
        text=str(event.data.get("text") or ""),
        language=detected.get("name") if isinstance(detected, dict) else None,
        intent=full_intent(parse),
        confidence=float(confidence) if confidence is not None else None,
        suggested_intent=suggested_intent(parse),
        fallback=intent.get("name") == FALLBACK_INTENT,
        form_answer=form_answer,
    )


def new_summary(event: StoredEvent) -> Summary:
    return Summary(sender_id=event.sender_id, first_at=event.timestamp, last_at=event.timestamp)


def is_sampled(sender_id: str, key: str, rate: float) -> bool:
    """Whether a confidently understood message is in the inbox's random sample.

    Drawn from a hash of the conversation and the message, not a random generator, so that
    the projection stays a function of the events: folding them again draws the same sample.
    """
    if rate <= 0:
        return False
    digest = hashlib.sha256(f"{sender_id}\x00{key}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < rate


def apply(
    summary: Summary | None,
    events: Iterable[StoredEvent],
    inbox_confidence: float = 0.6,
    inbox_sample: float = 0.0,
) -> Update:
    """The summary after ``events`` (one conversation, in order) and the inbox changes.

    A user message goes to the inbox when its intent confidence is below
    ``inbox_confidence`` or it was classified ``nlu_fallback``; a fallback action that
    follows it (in this batch or a later one) sends it there too, flagged ``fallback``.
    A share ``inbox_sample`` of the other messages goes there too (``reason`` "sample"), so
    that confident mistakes reach a consultant. Form answers never do.
    """
    update = Update(summary) if summary is not None else None
    for event in events:
        if update is None:
            update = Update(new_summary(event))
        update.summary = _fold(update, event, inbox_confidence, inbox_sample)
    if update is None:
        raise ValueError("apply() needs a summary or at least one event")
    return update


def _fold(
    update: Update, event: StoredEvent, inbox_confidence: float, inbox_sample: float
) -> Summary:
    s = update.summary
    s = replace(
        s,
        events=s.events + 1,
        first_at=min(s.first_at, event.timestamp),
        last_at=max(s.last_at, event.timestamp),
    )
    kind = event.type_name
    if kind == "user":
        return _user(update, s, event, inbox_confidence, inbox_sample)
    if kind == "bot":
        utter = (event.data.get("metadata") or {}).get("utter_action")
        # The assistant's own texts hold services' public numbers: references only.
        keys = search_keys(str(event.data.get("text") or ""), phones=False)
        return replace(
            s,
            bot_messages=s.bot_messages + 1,
            booking=s.booking or utter in BOOKING_RESPONSES,
            words=s.words | keys,
        )
    if kind == "action":
        return _action(update, s, str(event.data.get("name") or ""))
    if kind == "pause":  # a consultant took the conversation over (bot.handoff.take_over)
        return replace(s, handoff=True)
    if kind == "active_loop":
        loop = event.data.get("name")
        asked = s.requested_slot if loop else None  # a form that ends asks for nothing
        return replace(s, in_fallback_loop=loop == FALLBACK_LOOP, requested_slot=asked)
    if kind in ("restart", "session_started"):
        return replace(s, requested_slot=None, in_fallback_loop=False)
    if kind == "rewind":
        # The fallback loop understood the rephrasing: Rasa takes the last user message
        # back and stores it again with its intent; it was typed once.
        return replace(s, user_messages=max(0, s.user_messages - 1))
    if kind == "slot" and event.data.get("name") in PHONE_SLOTS | REFERENCE_SLOTS:
        value = event.data.get("value")
        return replace(s, words=s.words | search_keys(value)) if isinstance(value, str) else s
    if kind == "slot" and event.data.get("name") == REQUESTED_SLOT:
        asked = event.data.get("value")
        return replace(s, requested_slot=str(asked) if asked else None)
    if kind == "slot" and event.data.get("name") == "language":
        value = event.data.get("value")
        if value in LANGUAGES:
            return replace(s, language=value, language_from_slot=True)
    return s


def _user(
    update: Update, s: Summary, event: StoredEvent, inbox_confidence: float, inbox_sample: float
) -> Summary:
    message = user_message(event, form_answer=s.requested_slot in FORM_ANSWER_SLOTS)
    language = s.language
    detected = (event.data.get("parse_data") or {}).get("language") or {}
    if not s.language_from_slot and message.language in LANGUAGES:
        if float(detected.get("confidence") or 0) >= SURE_DETECTION or language is None:
            language = message.language
    words = s.words | search_keys(message.text)
    if len(words) < MAX_WORDS and message.text:
        new = [w for w in words_of(message.text) if w not in words]
        words = words | frozenset(new[: MAX_WORDS - len(words)])
    s = replace(
        s,
        user_messages=s.user_messages + 1,
        language=language,
        channel=s.channel or event.data.get("input_channel") or None,
        words=words,
        last_user=message,
    )
    if message.form_answer:
        return s  # personal data: neither NLU material nor a misunderstanding
    reason = inbox_reason(message, inbox_confidence)
    if reason is None and is_sampled(s.sender_id, message.key, inbox_sample):
        reason = "sample"
    if reason is not None:
        update.inbox.append(replace(message, reason=reason))
    return replace(
        s,
        fallbacks=s.fallbacks + (1 if message.fallback else 0),
        intents=s.intents | {message.intent} if message.intent else s.intents,
        handoff=s.handoff or (message.intent in HANDOFF_INTENTS),
    )


def inbox_reason(message: UserMessage, inbox_confidence: float) -> str | None:
    """Why a message belongs in the inbox on its own: "fallback", "low" or not at all."""
    if message.fallback:
        return "fallback"
    if message.confidence is not None and message.confidence < inbox_confidence:
        return "low"
    return None


def _action(update: Update, s: Summary, name: str) -> Summary:
    if name in HANDOFF_ACTIONS:
        s = replace(s, handoff=True)
    last = s.last_user
    if name not in FALLBACK_ACTIONS or last is None or last.fallback or last.form_answer:
        return s
    if s.in_fallback_loop:
        return s  # the loop handling the candidate's answer, not a new misunderstanding
    # The dialogue fell back after this message: it ended in fallback, count it once.
    flagged = replace(last, fallback=True, reason="fallback")
    update.inbox = [m for m in update.inbox if m.key != flagged.key] + [flagged]
    return replace(s, fallbacks=s.fallbacks + 1, last_user=flagged)
