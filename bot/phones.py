"""Belgian and French phone numbers, as candidates type them, normalised to E.164.

Accepted: national forms ("0470 12 34 56", "0470/12.34.56", "056 12 34 56", "06 12 34 56 78")
and international ones ("+32 470 12 34 56", "0032 470...", "+33 (0)6 12 34 56 78"). A
ten-digit national number starting with 045-049 is a Belgian mobile (in France those would
be landlines of the south, not this service's border region); any other ten-digit number is
French, and nine digits are a Belgian landline.

A refused number raises ``InvalidPhone`` with a reason code that selects the explanation
the candidate gets: ``empty``, ``invalid_characters``, ``several_numbers``, ``too_short``,
``too_long``, ``unsupported_country`` or ``invalid_number``.

Note for deduplication: the sessions feature (branch ``sessions``, ``bot/contact.py``) has
the same check with the same reason codes; once both are on main, keep one.
"""

from __future__ import annotations

import re

from bot.errors import InvalidPhone

_SEPARATORS = re.compile(r"[\s./()-]")
_ALLOWED = re.compile(r"^\+?[\d\s./()-]+$")
# A number inside a sentence ("mon gsm c'est le 0470 12 34 56 merci").
_NUMBER = re.compile(r"\+?\d[\d\s./()-]*\d")
_BELGIAN_MOBILE = ("45", "46", "47", "48", "49")


def normalise_phone(text: str) -> str:
    """The Belgian or French number in ``text`` as E.164 ("+32470123456").

    Raises:
        InvalidPhone: with the reason code of the problem.
    """
    raw = _number_in(text)
    digits = _SEPARATORS.sub("", raw.replace("(0)", ""))
    if digits.startswith("+"):
        return _international(digits[1:])
    if digits.startswith("00"):
        return _international(digits[2:])
    if not digits.startswith("0"):
        raise InvalidPhone("too_short" if len(digits) < 8 else "invalid_number")
    return _national(digits[1:])


def _number_in(text: str) -> str:
    stripped = text.strip().strip(".!?,;:")
    if not stripped:
        raise InvalidPhone("empty")
    if _ALLOWED.match(stripped):
        return stripped
    found = [m for m in _NUMBER.finditer(stripped) if len(re.sub(r"\D", "", m.group())) >= 6]
    if not found:
        raise InvalidPhone("invalid_characters")
    if len(found) > 1:
        raise InvalidPhone("several_numbers")
    match = found[0]
    around = stripped[max(match.start() - 1, 0) : match.start()] + stripped[match.end() :][:1]
    if re.search(r"[^\W\d_]", around):  # "0470abc123": a typo, not a sentence
        raise InvalidPhone("invalid_characters")
    return match.group()


def _international(digits: str) -> str:
    # "+32 0470...": the national 0 is often kept after the country code.
    if digits.startswith("32"):
        return _belgian(_without_trunk_zero(digits[2:]))
    if digits.startswith("33"):
        return _french(_without_trunk_zero(digits[2:]))
    raise InvalidPhone("unsupported_country" if len(digits) >= 8 else "too_short")


def _without_trunk_zero(significant: str) -> str:
    return significant[1:] if significant.startswith("0") else significant


def _national(significant: str) -> str:
    """A national number without its leading 0: Belgian or French by length and prefix."""
    if len(significant) == 9 and not significant.startswith(_BELGIAN_MOBILE):
        return _french(significant)
    return _belgian(significant)


def _belgian(significant: str) -> str:
    """+32 and 8 digits (landline) or 9 digits starting with 45-49 (mobile)."""
    if len(significant) < 8:
        raise InvalidPhone("too_short")
    if len(significant) > 9:
        raise InvalidPhone("too_long")
    if significant[0] == "0" or (len(significant) == 9 and significant[:2] not in _BELGIAN_MOBILE):
        raise InvalidPhone("invalid_number")
    return f"+32{significant}"


def _french(significant: str) -> str:
    """+33 and 9 digits, the first of them 1-9."""
    if len(significant) < 9:
        raise InvalidPhone("too_short")
    if len(significant) > 9:
        raise InvalidPhone("too_long")
    if significant[0] == "0":
        raise InvalidPhone("invalid_number")
    return f"+33{significant}"


def is_e164(value: str) -> bool:
    """True for a Belgian or French number already in E.164 form."""
    return bool(re.fullmatch(r"\+32\d{8,9}|\+33\d{9}", value))


def format_phone(e164: str) -> str:
    """A readable international form: "+32 470 12 34 56", "+32 56 12 34 56", "+33 6 12 34 56 78"."""
    country, rest = e164[1:3], e164[3:]
    if country == "33":
        groups = [rest[0], *(rest[i : i + 2] for i in range(1, len(rest), 2))]
    elif len(rest) == 9:  # Belgian mobile
        groups = [rest[:3], *(rest[i : i + 2] for i in range(3, len(rest), 2))]
    elif rest[0] in "2349":  # Brussels, Antwerp, Liège, Ghent: one-digit zones
        groups = [rest[0], rest[1:4], rest[4:6], rest[6:]]
    else:
        groups = [rest[:2], *(rest[i : i + 2] for i in range(2, len(rest), 2))]
    return " ".join([f"+{country}", *groups])
