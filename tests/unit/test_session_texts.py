"""Sessions in French and Dutch words: dates, times, language labels, seats, places."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.sessions import texts as session_texts
from bot.sessions.model import TIMEZONE
from tests.factories import info_session_value

TUESDAY = dt.datetime(2026, 12, 8, 9, 30, tzinfo=TIMEZONE)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "mardi 8 décembre à 09:30"), ("nl", "dinsdag 8 december om 09.30 uur")],
)
def test_date_and_time_are_written_natively(language: str, expected: str) -> None:
    assert session_texts.format_datetime(TUESDAY, language) == expected


def test_utc_times_are_shown_in_brussels_time_in_summer_and_winter() -> None:
    summer = dt.datetime(2027, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
    winter = dt.datetime(2027, 1, 4, 13, 0, tzinfo=dt.timezone.utc)
    assert session_texts.format_datetime(summer, "fr") == "mardi 1 juin à 14:00"
    assert session_texts.format_datetime(winter, "nl") == "maandag 4 januari om 14.00 uur"


@pytest.mark.parametrize(
    ("language", "expected"), [("fr", "de 09:30 à 11:30"), ("nl", "van 09.30 tot 11.30 uur")]
)
def test_time_range(language: str, expected: str) -> None:
    assert session_texts.format_time_range(info_session_value(), language) == expected


@pytest.mark.parametrize(
    ("code", "fr", "nl"),
    [
        ("fr", "en français", "in het Frans"),
        ("nl", "en néerlandais", "in het Nederlands"),
        ("fr+nl", "bilingue FR/NL", "tweetalig FR/NL"),
    ],
)
def test_language_labels(code: str, fr: str, nl: str) -> None:
    assert session_texts.language_label(code, "fr") == fr
    assert session_texts.language_label(code, "nl") == nl


@pytest.mark.parametrize(
    ("seats_taken", "fr", "nl"),
    [
        (13, "12 places restantes", "nog 12 plaatsen vrij"),
        (24, "1 place restante", "nog 1 plaats vrij"),
        (25, "complet, liste d'attente possible", "volzet, wachtlijst mogelijk"),
    ],
)
def test_seats_left(seats_taken: int, fr: str, nl: str) -> None:
    session = info_session_value(seats_taken=seats_taken)
    assert session_texts.seats_label(session, "fr") == fr
    assert session_texts.seats_label(session, "nl") == nl


def test_town_is_named_in_the_readers_language() -> None:
    session = info_session_value(place_id="be-kortrijk")
    assert session_texts.place_label(session, "fr") == "Courtrai"
    assert session_texts.place_label(session, "nl") == "Kortrijk"


def test_address_to_be_confirmed_is_said_and_never_invented() -> None:
    session = info_session_value(venue="Le Forem Tournai", place_id="be-tournai", address=None)
    assert session_texts.venue_label(session, "fr") == "Le Forem Tournai (adresse à confirmer)"
    assert session_texts.venue_label(session, "nl") == "Le Forem Tournai (adres nog te bevestigen)"


def test_venue_without_the_town_in_its_name_gets_the_town() -> None:
    session = info_session_value(venue="Maison de l'emploi", place_id="be-mouscron")
    assert session_texts.venue_label(session, "nl") == (
        "Maison de l'emploi (adres nog te bevestigen), Moeskroen"
    )


def test_online_session_has_no_town() -> None:
    session = info_session_value(online=True, place_id=None, city=None, venue="Webinar")
    assert session_texts.place_label(session, "fr") == "en ligne"
    assert "lien" in session_texts.venue_label(session, "fr")


def test_list_line_and_button_in_both_languages() -> None:
    session = info_session_value()
    assert session_texts.session_line(2, session, "fr") == (
        "2. Travailler en Flandre : infos pratiques — mardi 8 décembre à 09:30, Courtrai "
        "(en français) — 12 places restantes"
    )
    assert session_texts.session_line(2, session, "nl") == (
        "2. Werken in Vlaanderen: praktische info — dinsdag 8 december om 09.30 uur, Kortrijk "
        "(in het Frans) — nog 12 plaatsen vrij"
    )
    assert session_texts.session_button_title(2, session, "fr") == "2. mar. 8/12 09:30 · Courtrai"
    assert session_texts.session_button_title(2, session, "nl") == "2. di 8/12 09.30 · Kortrijk"
