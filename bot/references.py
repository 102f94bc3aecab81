"""Booking references: short, unambiguous, not guessable ("K7P2-QX9M").

Eight characters drawn with ``secrets`` from 32 symbols (40 bits) that cannot be confused
when read aloud or copied by hand: no 0/O, no 1/I. Every reference has at least one digit and
one letter, so that it never looks like an ordinary word ("afzeggen" has eight letters of the
alphabet) nor like a number. Candidates type them in any case, with or without the dash.
bot.log masks them, as typed, in every log record.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LENGTH = 8
_DIGITS = frozenset("23456789")
_SEPARATORS = re.compile(r"[\s._-]+")
_SYMBOL = "[A-HJ-NP-Za-hj-np-z2-9]"
_IN_TEXT = re.compile(rf"(?<![\w-]){_SYMBOL}{{4}}[ .-]?{_SYMBOL}{{4}}(?![\w-])")


def new_reference() -> str:
    """A fresh random reference, formatted ``XXXX-XXXX``."""
    while True:
        chars = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if _looks_like_reference(chars):
            return f"{chars[:4]}-{chars[4:]}"


def _looks_like_reference(chars: str) -> bool:
    has_digit = any(c in _DIGITS for c in chars)
    return has_digit and not all(c in _DIGITS for c in chars)


def normalise_reference(text: str) -> str | None:
    """``XXXX-XXXX`` for a reference typed in any case, with spaces or no dash, else None."""
    chars = _SEPARATORS.sub("", text.strip()).upper()
    if len(chars) != LENGTH or any(c not in ALPHABET for c in chars):
        return None
    if not _looks_like_reference(chars):
        return None
    return f"{chars[:4]}-{chars[4:]}"


def without_references(text: str, replacement: str = " ") -> str:
    """``text`` with every booking reference written in it replaced (by a space).

    Eight letters alone are a word, not a reference ("vacature", "dans quel"): only what
    ``normalise_reference`` accepts is replaced, in any case, with or without the dash.
    """

    def replace(match: re.Match[str]) -> str:
        return replacement if normalise_reference(match.group(0)) else match.group(0)

    return _IN_TEXT.sub(replace, text)


def references_in(text: str) -> list[str]:
    """Every reference written in ``text``, normalised, in order."""
    found = (normalise_reference(m.group(0)) for m in _IN_TEXT.finditer(text))
    return [reference for reference in found if reference]


def find_reference(text: str) -> str | None:
    """The first reference written in a sentence ("annuler k7p2 qx9m svp"), normalised."""
    for match in _IN_TEXT.finditer(text):
        reference = normalise_reference(match.group(0))
        if reference:
            return reference
    return None
