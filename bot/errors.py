"""Domain exceptions, translated into a response or an HTTP status at the edges."""

from __future__ import annotations


class BotError(Exception):
    """Base of the product's own errors: an expected situation with a defined answer."""


class SourceUnavailable(BotError):
    """A vacancy source could not answer (timeout, server error, bad answer, circuit open).

    Raised once at the source's edge with the cause chained (``raise ... from exc``); the
    search carries on with the other sources and says which ones were missing.
    """

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"vacancy source {source!r} unavailable: {reason}")
        self.source = source
        self.reason = reason


class InvalidFeed(BotError):
    """A vacancy feed that cannot be imported at all: unreadable, not JSON/CSV, no rows.

    ``line`` is the line of the file where reading stopped, when known.
    """

    def __init__(self, reason: str, line: int | None = None) -> None:
        where = f"line {line}: " if line else ""
        super().__init__(f"{where}{reason}")
        self.reason = reason
        self.line = line


class SessionNotFound(BotError):
    """No information session has this id."""

    def __init__(self, session_id: int) -> None:
        super().__init__(f"no information session {session_id}")
        self.session_id = session_id


class RegistrationClosed(BotError):
    """The session takes no more bookings: ``reason`` is ``deadline``, ``started`` or ``done``."""

    def __init__(self, session_id: int, reason: str) -> None:
        super().__init__(f"registration for session {session_id} is closed ({reason})")
        self.session_id = session_id
        self.reason = reason


class SessionCancelled(RegistrationClosed):
    """The session was cancelled by its organisers."""

    def __init__(self, session_id: int) -> None:
        super().__init__(session_id, "cancelled")


class BookingLimitReached(BotError):
    """Too many upcoming bookings for one conversation, e-mail address or client address:
    ``reason`` is ``conversation``, ``email`` or ``client`` (abuse limits,
    ``BOT_MAX_BOOKINGS_*``)."""

    def __init__(self, reason: str, limit: int) -> None:
        super().__init__(f"booking limit reached per {reason} ({limit})")
        self.reason = reason
        self.limit = limit


class CallbackLimitReached(BotError):
    """Too many open callback requests for one conversation, phone number or client address
    (``BOT_MAX_OPEN_CALLBACKS``, ``..._PER_CLIENT``): ``reason`` is ``conversation``,
    ``phone`` or ``client``."""

    def __init__(self, reason: str, limit: int) -> None:
        super().__init__(f"callback request limit reached per {reason} ({limit})")
        self.reason = reason
        self.limit = limit


class BookingNotFound(BotError):
    """No booking has this reference (the reference is masked in logs by bot.log)."""

    def __init__(self, reference: str) -> None:
        super().__init__(f"no booking {reference}")
        self.reference = reference


class InvalidContact(BotError):
    """A name, e-mail address or phone number that cannot be used, with a reason code.

    The reason code (``missing_at``, ``too_short``...) selects the explanation shown to the
    candidate; ``suggestion`` is a likely correction ("jan@gmail.com" for "jan@gmial.com")
    and ``value`` the normalised value that was refused, so that it can be accepted when the
    candidate confirms it.
    """

    def __init__(
        self, reason: str, suggestion: str | None = None, value: str | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.suggestion = suggestion
        self.value = value


class InvalidName(InvalidContact):
    """The candidate's name cannot be used as given."""


class InvalidEmail(InvalidContact):
    """The e-mail address is not a usable address."""


class InvalidPhone(InvalidContact):
    """The phone number is not a Belgian or French number."""


class CallbackNotFound(BotError):
    """No callback request has this id (or it was erased)."""

    def __init__(self, callback_id: int) -> None:
        super().__init__(f"no callback request {callback_id}")
        self.callback_id = callback_id


class HandoffError(BotError):
    """A live takeover step failed; ``sender_id`` is the conversation concerned."""

    def __init__(self, sender_id: str, reason: str) -> None:
        super().__init__(f"conversation {sender_id!r}: {reason}")
        self.sender_id = sender_id
        self.reason = reason


class RasaApiUnavailable(HandoffError):
    """Rasa's HTTP API did not answer, refused the token, or answered with an error.

    Raised once at the HTTP edge with the cause chained; ``status`` is the HTTP status when
    there was an answer.
    """

    def __init__(self, sender_id: str, reason: str, status: int | None = None) -> None:
        super().__init__(sender_id, reason)
        self.status = status


class ConversationNotFound(HandoffError):
    """The assistant has never heard from this conversation."""

    def __init__(self, sender_id: str) -> None:
        super().__init__(sender_id, "no such conversation")


class AlreadyTakenOver(HandoffError):
    """A consultant is already in charge of the conversation (the bot is paused)."""

    def __init__(self, sender_id: str) -> None:
        super().__init__(sender_id, "a consultant is already in charge")


class NotTakenOver(HandoffError):
    """A consultant message for a conversation the bot is still in charge of."""

    def __init__(self, sender_id: str) -> None:
        super().__init__(sender_id, "the assistant is in charge: take the conversation over first")


class ServiceUnavailable(BotError):
    """A shared service the conversation needs is down: the user is asked to try again.

    Raised in the Rasa server (production mode) instead of Rasa's silent fallbacks; the
    channels' message handler turns it into a polite "please try again in a moment" in the
    user's language, so that a message is never lost without the user knowing.
    """

    def __init__(self, service: str, reason: str) -> None:
        super().__init__(f"{service} unavailable: {reason}")
        self.service = service
        self.reason = reason


class TrackerStoreUnavailable(ServiceUnavailable):
    """The conversation store (Rasa's SQL tracker store) could not be read or written.

    Rasa's ``FailSafeTrackerStore`` would carry on with an in-memory tracker and lose the
    conversation (rasa issue 3243); ``bot.server.patches`` raises this instead.
    """

    def __init__(self, reason: str) -> None:
        super().__init__("conversation store", reason)


class InvalidUser(BotError):
    """A console account that cannot be created or changed: bad e-mail, role, password."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UserExists(BotError):
    """A console account with this e-mail address exists already."""


class LastAdmin(BotError):
    """The change would leave the console without an active administrator."""


class SignInThrottled(BotError):
    """Too many failed sign-ins for this account or this address: wait ``retry_after_s``."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"too many failed sign-ins; retry in {retry_after_s:.0f} s")
        self.retry_after_s = retry_after_s


class UnknownConversation(BotError):
    """No conversation with this number in the console's projection."""


class ForeignConversation(BotError):
    """A message for a conversation held on another channel (a REST post with the id of a
    website, Telegram, Messenger or WhatsApp conversation): refused, never processed."""

    def __init__(self, channel: str, held_on: str) -> None:
        super().__init__(f"a {channel} message for a conversation held on {held_on}")
        self.channel = channel
        self.held_on = held_on


class AlertsNeedEmail(BotError):
    """Job alerts are sent by e-mail, and no mail server is configured: none is created."""


class AlertLimitReached(BotError):
    """Too many active alerts for one e-mail address or one conversation."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} active job alerts")
        self.limit = limit


class Refused(BotError, ValueError):
    """What a consultant asked for, refused with a reason the console shows: ``reason``
    names the catalogue text (``console....``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
