"""Normalised words for matching names: folded case and accents, offsets into the original.

Both the index (names from the CSV files) and the messages go through the same functions, so
that "Barœul", "Baroeul" and "BAROEUL", or "aide-soignante" and "aide soignante", compare
equal. Apostrophes and hyphens separate words ("Villeneuve-d'Ascq" is villeneuve d ascq).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.text import fold

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# A qualifier in brackets is part of an alias ("Lens (Belgique)") but noise in a label
# ("Opérateur sur machine (usineur)"): labels drop it, see _index.py.
BRACKETS = re.compile(r"\s*\([^)]*\)")


@dataclass(frozen=True)
class Word:
    """One word of a message: its folded form and where it is in the original text."""

    text: str
    start: int
    end: int
    original: str

    @property
    def is_number(self) -> bool:
        return self.text.isdigit()


def words(text: str) -> list[Word]:
    """The words of ``text`` with their offsets; punctuation separates words."""
    return [
        Word(fold(m.group()), m.start(), m.end(), m.group())
        for m in _WORD.finditer(text.translate(_LIGATURES_KEEP_LENGTH))
    ]


def key(text: str) -> tuple[str, ...]:
    """The folded words of a name or a short answer, the key of the name index."""
    return tuple(w.text for w in words(text))


# Same length as the original so that offsets stay valid ("œ" is one character, "oe" two).
_LIGATURES_KEEP_LENGTH = str.maketrans({"’": "'", "‘": "'"})
