"""The candidate's answers to the callback request form, read and checked.

The name, phone number and e-mail address are read by ``bot.contact``, as in the booking
form; this module reads the rest: stopping, yes and no, and the preferred moment.

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

from bot.errors import InvalidContact
from bot.text import fold

MORNING, AFTERNOON = "morning", "afternoon"
MAX_MOMENT_LENGTH = 200

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
# What people add to a yes and that says nothing else: "ja is goed", "oui ok ça me va",
# "ja dat mag", "oui c'est bon", "ja doe maar" (never "maar", "mais", "pas", "niet"...).
_YES_FILLERS = r"is|c|est|ca|me|va|marche|bon|top|super|nickel|mag|dat|da|das|s|doe maar|wel"
_YES = re.compile(rf"^(?:/affirm|(?:{_YES_WORDS})(?: (?:{_YES_WORDS}|{_POLITE}|{_YES_FILLERS}))*)$")
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


def find_moment(text: str) -> str | None:
    """``morning`` or ``afternoon`` when a longer message says which ("plutôt le matin", "bel
    me liever in de namiddag"), None when it says neither or both."""
    words = folded(text)
    morning, afternoon = bool(_MORNING.search(words)), bool(_AFTERNOON.search(words))
    if morning == afternoon:
        return None
    return MORNING if morning else AFTERNOON
