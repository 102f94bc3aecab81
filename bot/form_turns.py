"""What a message in the middle of a form is when it does not answer the question asked.

A form tries the answer first (a name, an address, a number that validates is taken, whatever
the intent classifier says); only when the message answers nothing does this module say what
it is instead: thanks, a greeting, a complaint or small talk, each acknowledged before the
question is asked again, rather than read as a wrong answer or as a reason to leave the form.
Stopping is ``bot.handoff.answers.wants_to_stop`` (the words themselves, as in every form).

Pure functions on the text of one message and the intent the NLU gave it.
"""

from __future__ import annotations

import re

from bot.text import fold

THANKS, GREETING, COMPLAINT, SMALL_TALK = "thanks", "greeting", "complaint", "small_talk"
KINDS = (THANKS, GREETING, COMPLAINT, SMALL_TALK)

_POLITE = r"(?:\s+(?:a vous|a toi|hein|he|hoor|veel|wel|beaucoup|bien|vriendelijk|u|je))*"
_WHOLE = {
    THANKS: re.compile(
        r"^(?:(?:ok|oke|okay|super|top|parfait|prima|goed|ah|oh|oui|ja)\s+)?"
        r"(?:merci|mercii+|mrc|bedankt|dank\s*(?:je|u)(?:\s*wel)?|dankjewel|dankuwel|thanks"
        r"|thank you|thx|merci bien|merci beaucoup|grand merci|mille mercis)"
        rf"{_POLITE}$"
    ),
    GREETING: re.compile(
        r"^(?:bonjour|bonsoir|salut|coucou|hello|hallo|hoi|hey|dag|goeiedag|goeiemorgen"
        r"|goedemorgen|goedemiddag|goeienavond|goedenavond|allo|re)"
        r"(?:\s+(?:madame|monsieur|daar|allemaal|a vous|tout le monde))?$"
    ),
    COMPLAINT: re.compile(
        r"(?:deja dit|deja donne|deja ecrit|je viens de|vous l avez|je l ai (?:deja )?dit"
        r"|encore \?|pourquoi (?:encore|vous|tu) (?:demande|redemande)|c est nul|ca marche pas"
        r"|ca ne marche pas|n importe quoi|al gezegd|al gegeven|net gezegd|al getypt|nog eens"
        r"|waarom vraag|werkt niet|slaat nergens op|belachelijk|pff+|grr+|zucht)"
    ),
    SMALL_TALK: re.compile(
        r"^(?:ok|oke|okay|d accord|dac|ah|oh|euh+|hmm+|bon|ben|allez|voila|super|cool|top"
        r"|ca va|ca va \?|comment ca va|hoe gaat het|alles goed|goed|prima|tof|leuk|nice"
        r"|haha+|lol|mdr|oui|ja|ouais)(?:\s*[?!.]+)?$"
    ),
}
_INTENTS = {"thank": THANKS, "greet": GREETING}


def _folded(text: str) -> str:
    spaced = re.sub(r"['’`-]", " ", fold(text))
    spaced = re.sub(r"[.,;:!]+", " ", spaced)
    return " ".join(spaced.split())


def kind_of(text: str, intent: str | None = None) -> str | None:
    """``thanks``, ``greeting``, ``complaint`` or ``small_talk`` for a message that answers
    nothing but should not end the form; None for anything else (a wrong answer, a question).

    The words decide first; the ``thank`` and ``greet`` intents count too.
    """
    words = _folded(text)
    if not words:
        return None
    for kind, pattern in _WHOLE.items():
        if kind == COMPLAINT:
            if pattern.search(words):
                return kind
        elif pattern.match(words):
            return kind
    return _INTENTS.get(intent or "")


_QUESTION_START = re.compile(
    r"^(?:et|en|mais|maar|alors|dus|ok|oke)?\s*(?:que|quoi|quel|quelle|quels|quelles|comment"
    r"|combien|pourquoi|quand|ou|est ce|qu est|c est quoi|puis je|peut on|dois je|faut il|ai je"
    r"|wat|hoe|hoeveel|waarom|wanneer|waar|welke|wie|moet ik|mag ik|kan ik|krijg ik|heb ik"
    r"|is het|zijn er|hoe zit)\b"
)


def is_question(text: str) -> bool:
    """True for a question ("et les impôts alors ?", "hoe zit het met mijn pensioen")."""
    return "?" in text or bool(_QUESTION_START.match(_folded(text)))
