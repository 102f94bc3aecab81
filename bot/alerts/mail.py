"""The alerts' e-mails, in the candidate's language: the confirmation link (double opt-in)
and the digest of new offers, with a one-click unsubscribe (RFC 8058 headers)."""

from __future__ import annotations

from dataclasses import replace
from email.message import EmailMessage
from email.utils import make_msgid

from bot import gazetteer
from bot.alerts.links import sign
from bot.alerts.subscriptions import Alert, SavedSearch
from bot.config import privacy_url
from bot.messages import text
from bot.vacancies.areas import Area
from bot.vacancies.cards import render_card
from bot.vacancies.model import SearchResult
from bot.vacancies.replies import area_label, occupations_label


def confirm_url(public_url: str, key: bytes, alert_id: int) -> str:
    return f"{public_url}/alerts/confirm/{sign(key, alert_id, 'confirm')}"


def unsubscribe_url(public_url: str, key: bytes, alert_id: int) -> str:
    return f"{public_url}/alerts/unsubscribe/{sign(key, alert_id, 'unsubscribe')}"


def offer_url(public_url: str, key: bytes, alert_id: int, vacancy_id: int) -> str:
    return f"{public_url}/alerts/offer/{sign(key, alert_id, 'open')}/{vacancy_id}"


def describe(search: SavedSearch, language: str) -> str:
    """ "soudeur ou chaudronnier, à 30 km de Courtrai, en Belgique": what the alert looks for,
    in ``language`` (the words of the search's summary in the chat)."""
    what = occupations_label(search.occupation_ids, language) or text(language, "alerts.any_job")
    place = gazetteer.place(search.place_id)
    if place is None:
        described = what
    elif search.radius_km is None:
        described = text(language, "alerts.search_near").format(
            what=what, place=place.name(language)
        )
    else:
        described = text(language, "alerts.search_within").format(
            what=what, km=round(search.radius_km), place=place.name(language)
        )
    area = area_label(Area.from_slot(search.area), language)
    return f"{described}, {area}" if area else described


def _message(alert: Alert, sender: str, subject: str, paragraphs: list[str]) -> EmailMessage:
    if not alert.email:
        raise ValueError("this alert has no e-mail address (ended)")
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = alert.email
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content("\n\n".join(paragraphs))
    message["Content-Language"] = alert.language
    return message


def confirmation_email(alert: Alert, *, sender: str, public_url: str, key: bytes) -> EmailMessage:
    """The e-mail that asks to confirm the alert (nothing is sent before)."""
    assert alert.search is not None
    language = alert.language
    search = describe(alert.search, language)
    paragraphs = [
        text(language, "alerts.email.confirm_intro").format(search=search),
        text(language, "alerts.email.confirm_link").format(
            url=confirm_url(public_url, key, alert.id)
        ),
        text(language, "alerts.email.confirm_ignore"),
        text(language, "email.footer").format(privacy_url=privacy_url(public_url)),
    ]
    subject = text(language, "alerts.email.confirm_subject")
    return _message(alert, sender, subject, paragraphs)


def digest_email(
    alert: Alert,
    offers: list[tuple[int, SearchResult]],
    *,
    sender: str,
    public_url: str,
    key: bytes,
    more: int = 0,
) -> EmailMessage:
    """The new offers of one alert (vacancy id and result), each linked through the site
    (which notes that the alert is in use), and how to stop it."""
    assert alert.search is not None
    language = alert.language
    search = describe(alert.search, language)
    unsubscribe = unsubscribe_url(public_url, key, alert.id)
    cards = [
        render_card(
            replace(
                result,
                vacancy=replace(
                    result.vacancy, url=offer_url(public_url, key, alert.id, vacancy_id)
                ),
            ),
            language,
        )
        for vacancy_id, result in offers
    ]
    paragraphs = [text(language, "alerts.email.digest_intro").format(search=search), *cards]
    if more:
        paragraphs.append(text(language, "alerts.email.digest_more").format(count=more))
    paragraphs += [
        text(language, "alerts.email.digest_why").format(search=search),
        text(language, "alerts.email.unsubscribe").format(url=unsubscribe),
        text(language, "email.footer").format(privacy_url=privacy_url(public_url)),
    ]
    total = len(offers) + more
    subject_key = "digest_subject_one" if total == 1 else "digest_subject"
    subject = text(language, f"alerts.email.{subject_key}").format(count=total, search=search)
    message = _message(alert, sender, subject, paragraphs)
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message
