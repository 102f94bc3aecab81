"""Requests about sessions read from the words, where the classifier is easily drowned.

Two kinds of messages the intent classifier reads badly (the dialogue panel, issue 21):

- a request to book that says much else: the session's title ("la séance sur les impôts et
  la sécurité sociale", read as a tax question), or everything at once ("… Mijn naam is …,
  e-mail …, gsm …", read as a question about job datings): :func:`asks_to_book`;
- a choice from the list shown with a few words around it ("je prends la 5", read as
  nothing clear): :func:`is_a_choice`;
- a cancellation said without the word ("jveux plus y aller a la reunion", "kga ni kunnen
  komen naar de sessie", read as out of scope): :func:`asks_to_cancel`.
"""

from __future__ import annotations

import re

from bot import contact
from bot.sessions.search import _number_said, _words

# Saying one wants to go, to register or to book ("m'inscrire", "ik wil naar de sessie"...).
_TO_BOOK = re.compile(
    r" (?:m |me |nous |vous |s )?[ms]?inscri(?:re|s|t|ption|vez)"
    r" | reserver | reserve | participer | venir (?:a|au|aux) | assister"
    r" | (?:me |mij |ons )?(?:in )?schrijven | inschrijving | inschrijven | aanmelden"
    r" | reserveren | deelnemen | (?:wil|wou|zou|kom|ga) (?:graag )?naar (?:de|die|het|een) "
)
# What is booked: a session of the list, under any of its names.
_SESSION = re.compile(
    r" (?:seance|seances|session|sessions|reunion|reunions|job ?dating|atelier|webinaire"
    r"|visite|sessie|sessies|infosessie|infosessies|infomoment|jobdating|workshop|webinar"
    r"|bedrijfsbezoek|seminaire|seminarie) "
)
# A cancellation names a session too ("annuler ma séance", "mijn inschrijving schrappen").
_CANCEL = re.compile(
    r" (?:annul\w*|desinscri\w*|desister|enlever|supprimer|afzeggen|annuleren|annulatie"
    r"|uitschrijven|schrappen|afmelden|niet komen|ni komen|pas venir) "
)


# Not going any more: "je veux plus y aller", "je pourrai pas venir", "kan niet komen".
_NOT_GOING = re.compile(
    r" (?:j ?)?(?:veux|veut|peux|pourrai|pourrais|vais|vai|sais) (?:plus|pas)"
    r" (?:y )?(?:aller|venir) | (?:viendrai|viendrais|irai|pourrai) (?:pas|plus) "
    r"| (?:kan|kunnen|k|kga|ga|zal|kzal|kzou) (?:ni|nie|niet|toch niet) (?:kunnen )?(?:komen|gaan) "
)
# What the person will not go to: a session, or what they booked.
_BOOKED = re.compile(r" (?:inscription|inschrijving|reservation|reservatie) ")


def asks_to_cancel(text: str) -> bool:
    """True when ``text`` says the candidate will not come to a session they booked."""
    words = _words(contact.without_contact_details(text))
    about = _SESSION.search(words) or _BOOKED.search(words)
    return bool(_NOT_GOING.search(words) and about)


def asks_to_book(text: str) -> bool:
    """True when ``text`` asks to book a session, whatever else it says.

    The contact details are left out first: an address or a phone number says nothing of
    the request, and a name may be any word.
    """
    words = _words(contact.without_contact_details(text))
    return bool(_TO_BOOK.search(words) and _SESSION.search(words)) and not _CANCEL.search(words)


def is_a_choice(text: str) -> bool:
    """True for a choice from a list and nothing else: "la 5", "je prends la 5", "de vierde"."""
    return _number_said(_words(text)) is not None


# "ah non, plutôt la 3", "nee wacht, toch liever de 3de": the candidate takes back the session.
_CHANGE = re.compile(
    r" (?:non|plutot|finalement|en fait|attendez|attends|je me suis trompe|trompe|pardon"
    r"|nee|neen|toch|liever|eigenlijk|wacht|sorry|vergist|ik heb me vergist) "
)
_CHANGE_WORDS = frozenset(
    """ah oh euh non plutot finalement en fait attendez attends je me suis trompe pardon
    nee neen toch liever eigenlijk wacht sorry ik heb vergist oeps oups""".split()
)


def another_choice(text: str) -> str | None:
    """The choice a candidate who changes their mind makes ("plutôt la 3" out of "ah non
    attendez, plutôt la 3"), or None when ``text`` does not take a choice back."""
    words = _words(text)
    if not _CHANGE.search(words):
        return None
    rest = " ".join(w for w in words.split() if w not in _CHANGE_WORDS)
    return rest or None
