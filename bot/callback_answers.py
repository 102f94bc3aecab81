"""The candidate's answers to the callback request form, read and checked.

Pure functions on the text of one message (and, where it helps, the intent the NLU gave
it), so that the form's validation action stays a thin adapter and every rule here has a
unit test. A refused answer raises an ``InvalidContact`` subclass whose reason code selects
the explanation the candidate gets (``bot/resources/<lang>.yml``, ``handoff.problem``).

Stopping is read from the words themselves ("laisse tomber", "laat maar"), not from a
trained intent: inside the form every message goes to the form first, and a fixed list of
phrases behaves the same in both languages whatever the model.
"""

from __future__ import annotations

import re
import unicodedata

from bot.errors import InvalidContact, InvalidEmail, InvalidName
from bot.language import fold

MORNING, AFTERNOON = "morning", "afternoon"
MAX_NAME_LENGTH = 80
MAX_MOMENT_LENGTH = 200
MAX_EMAIL_LENGTH = 254

# Whole messages (folded: lower case, no accents, apostrophes as spaces) that stop the form.
_STOP = re.compile(
    r"^(?:(?:non|nee|neen|bon|ok|oke|allez|euh|ah|nah)[\s,.!]+)?(?:"
    r"laisse(?:z)? tomber|laisse(?:z)? (?:cela|ca)|oublie(?:z)?(?: ca| cela)?|tant pis"
    r"|annule(?:r|z)?|j annule|stop(?:pe|pez|per)?|arrete(?:r|z)?(?: ca| tout)?|on arrete"
    r"|c est bon laisse(?:z)? tomber|plus besoin|je ne veux plus|je n en veux plus"
    r"|je veux plus|laat (?:maar|het|maar zitten|het maar|zitten)|laat maar zitten"
    r"|hou (?:maar )?op|stop ermee|stoppen|annuleer|annuleren|vergeet (?:het|het maar)"
    r"|hoeft niet meer|niet meer nodig|toch maar niet|ik wil niet meer"
    r")(?:[\s,.!]+(?:merci|bedankt|dank je|svp|stp|aub|alsjeblieft|hein|he|quoi|dan))*[\s.!]*$"
)
# Yes and no as typed, after folding and without punctuation: "oui", "ja, akkoord",
# "non merci", "geen e-mail". The first words must say yes or no; politeness may follow.
_YES_WORDS = (
    r"oui|ouais|yes|ok|oke|okay|d accord|dac|daccord|j accepte|je suis d accord|bien sur"
    r"|volontiers|parfait|c est d accord|ja|jawel|akkoord|ik ga akkoord|ik ben akkoord|goed"
    r"|prima|in orde|dat is goed|zeker"
)
_NO_WORDS = (
    r"non|no|nope|pas question|je refuse|je ne suis pas d accord|pas d accord|nee|neen"
    r"|niet akkoord|ik ga niet akkoord|liever niet|geen|pas de mail|pas d e ?mail"
    r"|pas d adresse|sans e ?mail|sans mail|je n en ai pas|je n ai pas d e ?mail|geen e ?mail"
    r"|geen mail|geen e ?mailadres|heb ik niet|ik heb geen e ?mail|ik heb er geen|pas besoin"
    r"|pas la peine|hoeft niet|niet nodig"
)
_POLITE = r"merci|svp|stp|bedankt|dank je|aub|graag|hoor"
_YES = re.compile(rf"^(?:/affirm|(?:{_YES_WORDS})(?: (?:{_YES_WORDS}|{_POLITE}))*)$")
_NO = re.compile(rf"^(?:/deny|(?:{_NO_WORDS})(?: (?:{_NO_WORDS}|{_POLITE}))*)$")
_PUNCTUATION = re.compile(r"[,;:.!?()]+")
_MORNING = re.compile(
    r"\b(?:le matin|matin(?:ee)?|avant midi|en matinee|voormiddags?|in de voormiddag"
    r"|s ochtends|ochtend|s morgens|morgens|in de ochtend|voor de middag)\b"
)
_AFTERNOON = re.compile(
    r"\b(?:l apres ?midi|apres ?midi|aprem|dans l apres ?midi|namiddags?"
    r"|in de namiddag|s middags|na de middag)\b"
)
_NAME = re.compile(r"^[^\W\d_]+(?:[ '’.-]+[^\W\d_]+)*\.?$")
_EMAIL_LOCAL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$"
)
_EMAIL_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}$")
# "je m'appelle", "mon adresse c'est", "mijn naam is": dropped before the value. Matched on
# ``_aligned`` text, so spaces stand for apostrophes and dashes.
_LEAD_IN = re.compile(
    r"^\s*(?:je\s+m\s+appelle|je\s+suis|moi\s+c\s+est|mon\s+nom(?:\s+complet)?\s+(?:est|c\s+est)"
    r"|mon\s+(?:adresse\s+)?(?:e\s*mail|mail|courriel)(?:\s+est|\s+c\s+est)?|c\s+est"
    r"|ik\s+ben|ik\s+heet|mijn\s+(?:volledige\s+)?naam\s+is"
    r"|mijn\s+(?:e\s*mail|mail)(?:adres)?\s+is|dat\s+is)(?:\s*:)?\s+"
)


def _aligned(text: str) -> str:
    """``text`` folded character by character (same length): for matching, then slicing."""
    out = []
    for char in text:
        if char in "'’`-":
            out.append(" ")
            continue
        base = unicodedata.normalize("NFKD", char)[:1].lower() or char
        out.append(base if len(base) == 1 else char)
    return "".join(out)


def folded(text: str) -> str:
    """``text`` lower-cased, without accents, apostrophes and dashes as spaces."""
    spaced = re.sub(r"['’`-]", " ", fold(text))
    return " ".join(spaced.split())


def wants_to_stop(text: str) -> bool:
    """True when the whole message asks to stop ("laisse tomber", "nee, laat maar")."""
    return bool(_STOP.match(folded(text)))


def _words(text: str) -> str:
    return " ".join(_PUNCTUATION.sub(" ", folded(text)).split())


def is_yes(text: str, intent: str | None = None) -> bool:
    """A clear yes: the ``affirm`` button or intent, or "oui" / "ja, akkoord" typed."""
    return intent == "affirm" or bool(_YES.match(_words(text)))


def is_no(text: str, intent: str | None = None) -> bool:
    """A clear no: the ``deny`` button or intent, or "non" / "geen e-mail" typed."""
    return intent == "deny" or bool(_NO.match(_words(text)))


def _without_lead_in(text: str) -> str:
    value = text.strip().strip("\"'«»“”").strip()
    match = _LEAD_IN.match(_aligned(value) + " ")
    if match:
        value = value[match.end() :] if match.end() <= len(value) else ""
    return value.strip().rstrip(" .!")


def read_name(text: str) -> str:
    """The name the candidate gave ("je m'appelle Marie Dupont" -> "Marie Dupont").

    Raises:
        InvalidName: ``empty``, ``looks_like_email``, ``digits``, ``too_long`` or
            ``invalid_characters``.
    """
    name = " ".join(_without_lead_in(text).split())
    if not name:
        raise InvalidName("empty")
    if "@" in name:
        raise InvalidName("looks_like_email")
    if any(c.isdigit() for c in name):
        raise InvalidName("digits")
    if len(name) > MAX_NAME_LENGTH or len(name.split()) > 6:
        raise InvalidName("too_long")
    if not _NAME.match(name) or len(name.replace(" ", "")) < 2:
        raise InvalidName("invalid_characters")
    return name


def read_email(text: str) -> str:
    """The e-mail address in ``text``, lower-cased ("Jan.Peeters@Telenet.be").

    Raises:
        InvalidEmail: ``empty``, ``missing_at``, ``several_addresses``, ``spaces``,
            ``invalid_address`` or ``too_long``.
    """
    words = _without_lead_in(text).split()
    if not words:
        raise InvalidEmail("empty")
    candidates = [w.strip("<>()[]\"'«»,;:!?") for w in words if "@" in w]
    if not candidates:
        raise InvalidEmail("missing_at")
    if len(candidates) > 1:
        raise InvalidEmail("several_addresses")
    address = candidates[0].rstrip(".")
    if len(words) > 1 and (address.startswith("@") or address.endswith("@")):
        raise InvalidEmail("spaces")  # "jan @ telenet.be"
    local, _, domain = address.rpartition("@")
    if not local or "@" in local or not _EMAIL_LOCAL.match(local):
        raise InvalidEmail("invalid_address")
    if not _EMAIL_DOMAIN.match(domain.lower()):
        raise InvalidEmail("invalid_address")
    if len(address) > MAX_EMAIL_LENGTH:
        raise InvalidEmail("too_long")
    return address.lower()


def read_moment(text: str) -> str:
    """``morning``, ``afternoon``, or the moment as the candidate wrote it ("mardi après 14 h").

    Raises:
        InvalidContact: ``empty`` or ``too_long``.
    """
    moment = " ".join(text.split())
    if not moment:
        raise InvalidContact("empty")
    words = folded(moment)
    morning, afternoon = bool(_MORNING.search(words)), bool(_AFTERNOON.search(words))
    if morning != afternoon and len(words.split()) <= 4:
        return MORNING if morning else AFTERNOON
    if len(moment) > MAX_MOMENT_LENGTH:
        raise InvalidContact("too_long")
    return moment
