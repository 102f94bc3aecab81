"""Text folded for comparison: the one ``fold`` every feature matches words with."""

from __future__ import annotations

import unicodedata

# Ligatures that NFKD does not decompose.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"})


def fold(text: str) -> str:
    """Lower-case, without accents or ligatures: "Barœul" and "baroeul" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
