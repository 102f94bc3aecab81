"""Facts the pages show that already live in the knowledge files (one place for each fact).

The official sites of the three services and of the data protection authorities come from
``bot/resources/knowledge/``, like the assistant's answers; the phone numbers shown next
to them are checked against the same files by tests/content. The mediation bodies of the
accessibility statement are the only sites kept here: no answer of the assistant names
them (but the Défenseur des droits, whose site comes from the knowledge files).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from bot import knowledge

SERVICES = ("francetravail", "forem", "vdab")


@dataclass(frozen=True)
class ServiceContact:
    """One public employment service as the contact list shows it."""

    key: str
    url: str
    url_label: str
    url_lang: str


def service_contacts(language: str) -> list[ServiceContact]:
    """France Travail, Le Forem and VDAB with the official site in ``language``."""
    sources = knowledge.topics()["job_search_services"].sources
    contacts = []
    for key in SERVICES:
        url = sources[key][language]
        site_language = "nl" if key == "vdab" else "fr"
        contacts.append(ServiceContact(key, url, urlsplit(url).netloc, site_language))
    return contacts


def contacts_checked(language: str) -> str:
    """The day the phone numbers were checked, as the assistant's answers write it."""
    return knowledge.topics()["job_search_services"].checked.strftime("%d/%m/%Y")


def authorities(language: str) -> dict[str, str]:
    """The sites of the Belgian (APD/GBA) and French (CNIL) data protection authorities."""
    sources = knowledge.topics()["privacy"].sources
    return {"apd": sources["apd"][language], "cnil": sources["cnil"][language]}


@dataclass(frozen=True)
class AppealBody:
    """Where to turn when a service does not answer an accessibility problem well."""

    service: str  # the service it mediates for: francetravail, forem, vdab
    url: str
    name_lang: str  # the language of its name, which is not translated


# The Walloon and Flemish ombudsmen mediate for Le Forem and VDAB; France Travail's is the
# Défenseur des droits (the RGAA's model statement names it).
_OMBUDSMEN = {
    "forem": ("https://www.le-mediateur.be", "fr"),
    "vdab": ("https://www.vlaamseombudsdienst.be", "nl"),
}


def appeal_bodies(language: str) -> list[AppealBody]:
    """The mediation body of each service, for the accessibility statement."""
    defender = knowledge.topics()["equal_opportunities"].sources["ddd"][language]
    bodies = [AppealBody("francetravail", defender, "fr")]
    bodies += [AppealBody(service, url, lang) for service, (url, lang) in _OMBUDSMEN.items()]
    return bodies
