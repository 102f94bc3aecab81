"""Office hours: weekdays 9:00-17:00 in Brussels, public holidays of Belgium and France off."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot import handoff
from bot.config import Settings
from bot.handoff.office_hours import next_opening
from bot.handoff.texts import expected_call_label, office_hours_label
from bot.holidays import easter_sunday, public_holidays

BRUSSELS = ZoneInfo("Europe/Brussels")
DEFAULT = Settings.from_env({})


def at(text: str, zone: ZoneInfo | timezone = BRUSSELS) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


@pytest.mark.parametrize(
    "year, easter", [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)),
                     (2027, date(2027, 3, 28)), (2038, date(2038, 4, 25))],
)  # fmt: skip
def test_easter_sunday(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_each_country_has_its_own_national_holidays() -> None:
    belgium, france = public_holidays("BE", 2026), public_holidays("FR", 2026)
    shared = {date(2026, 4, 6), date(2026, 5, 14), date(2026, 5, 25), date(2026, 11, 11)}
    assert shared <= belgium and shared <= france  # Easter Monday, Ascension, Whit Monday
    assert date(2026, 7, 21) in belgium and date(2026, 7, 21) not in france
    assert {date(2026, 5, 8), date(2026, 7, 14)} <= france - belgium


@pytest.mark.parametrize(
    "moment, open_",
    [
        ("2026-12-02T09:00", True),  # Wednesday, opening time
        ("2026-12-02T16:59", True),
        ("2026-12-02T08:59", False),
        ("2026-12-02T17:00", False),  # closing time: closed
        ("2026-12-05T10:00", False),  # Saturday
        ("2026-12-06T10:00", False),  # Sunday
        ("2026-07-14T10:00", False),  # Tuesday, French national day
        ("2026-07-21T10:00", False),  # Tuesday, Belgian national day
        ("2026-05-08T10:00", False),  # Friday, 8 May (France)
        ("2026-04-06T10:00", False),  # Easter Monday
        ("2026-05-14T10:00", False),  # Ascension
        ("2026-12-25T10:00", False),
        ("2026-12-24T10:00", True),  # Christmas Eve is a working day
    ],
)
def test_office_hours_on_brussels_time_without_the_holidays_of_both_countries(
    moment: str, open_: bool
) -> None:
    assert handoff.is_office_hours(at(moment), DEFAULT) is open_


@pytest.mark.parametrize(
    "utc_moment, open_",
    [
        ("2026-12-02T07:59", False),  # 8:59 in Brussels (UTC+1 in winter)
        ("2026-12-02T08:00", True),
        ("2026-07-01T07:00", True),  # 9:00 in Brussels (UTC+2 in summer)
        ("2026-07-01T15:00", False),  # 17:00 in Brussels
        ("2026-03-29T08:30", False),  # Sunday of the change to summer time
        ("2026-03-30T07:00", True),
    ],
)
def test_time_zone_of_the_moment_does_not_matter(utc_moment: str, open_: bool) -> None:
    assert handoff.is_office_hours(at(utc_moment, timezone.utc), DEFAULT) is open_


def test_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        handoff.is_office_hours(datetime(2026, 12, 2, 10), DEFAULT)


def test_holidays_hours_days_and_closures_come_from_settings() -> None:
    france_only = Settings.from_env({"BOT_OFFICE_HOLIDAYS": "FR"})
    assert handoff.is_office_hours(at("2026-07-21T10:00"), france_only)
    no_holidays = Settings.from_env({"BOT_OFFICE_HOLIDAYS": ""})
    assert handoff.is_office_hours(at("2026-07-14T10:00"), no_holidays)
    closures = Settings.from_env({"BOT_OFFICE_CLOSED_DAYS": "07-11, 09-27,2026-12-24"})
    assert not handoff.is_office_hours(at("2025-07-11T10:00"), closures)  # every year
    assert not handoff.is_office_hours(at("2026-12-24T10:00"), closures)
    assert handoff.is_office_hours(at("2025-12-24T10:00"), closures)
    short = Settings.from_env({"BOT_OFFICE_HOURS": "08:30-12:00", "BOT_OFFICE_DAYS": "mon-thu"})
    assert handoff.is_office_hours(at("2026-12-02T08:30"), short)
    assert not handoff.is_office_hours(at("2026-12-02T12:00"), short)
    assert not handoff.is_office_hours(at("2026-12-04T10:00"), short)  # Friday
    lisbon = Settings.from_env({"BOT_OFFICE_TIMEZONE": "Europe/Lisbon"})
    assert handoff.is_office_hours(at("2026-12-02T09:00", timezone.utc), lisbon)


def test_override_fixes_the_answer_and_metadata_mode_lets_a_conversation_choose() -> None:
    sunday = at("2026-12-06T03:00")
    assert handoff.is_office_hours(sunday, Settings.from_env({"BOT_OFFICE_HOURS_OVERRIDE": "open"}))
    closed = Settings.from_env({"BOT_OFFICE_HOURS_OVERRIDE": "closed"})
    assert not handoff.is_office_hours(at("2026-12-02T10:00"), closed)
    by_metadata = Settings.from_env({"BOT_OFFICE_HOURS_OVERRIDE": "metadata"})
    assert handoff.office_open_for(sunday, by_metadata, "open")
    assert not handoff.office_open_for(at("2026-12-02T10:00"), by_metadata, "closed")
    assert not handoff.office_open_for(sunday, by_metadata, None)  # the clock
    # Without the test mode, a conversation cannot choose.
    assert not handoff.office_open_for(sunday, DEFAULT, "open")


@pytest.mark.parametrize(
    "environ, variable",
    [
        ({"BOT_OFFICE_HOURS": "9-17"}, "BOT_OFFICE_HOURS"),
        ({"BOT_OFFICE_HOURS": "17:00-09:00"}, "BOT_OFFICE_HOURS"),
        ({"BOT_OFFICE_DAYS": "monday-friday"}, "BOT_OFFICE_DAYS"),
        ({"BOT_OFFICE_DAYS": "fri-mon"}, "BOT_OFFICE_DAYS"),
        ({"BOT_OFFICE_TIMEZONE": "Europe/Kortrijk"}, "BOT_OFFICE_TIMEZONE"),
        ({"BOT_OFFICE_HOLIDAYS": "BE,NL"}, "BOT_OFFICE_HOLIDAYS"),
        ({"BOT_OFFICE_CLOSED_DAYS": "11/07"}, "BOT_OFFICE_CLOSED_DAYS"),
        ({"BOT_OFFICE_HOURS_OVERRIDE": "always"}, "BOT_OFFICE_HOURS_OVERRIDE"),
        ({"BOT_RASA_API_URL": "localhost:5005"}, "BOT_RASA_API_URL"),
        ({"BOT_PUBLIC_URL": "example.org"}, "BOT_PUBLIC_URL"),
    ],
)
def test_bad_handoff_setting_names_the_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(ValueError, match=variable):
        Settings.from_env(environ)


def test_public_and_rasa_api_urls_default_to_this_machine() -> None:
    settings = Settings.from_env({"BOT_WEB_PORT": "8181", "BOT_RASA_PORT": "5015"})
    assert settings.public_url == "http://localhost:8181"
    assert settings.rasa_api_url == "http://127.0.0.1:5015"
    behind_proxy = Settings.from_env({"BOT_PUBLIC_URL": "https://emploi.example.org/"})
    assert behind_proxy.public_url == "https://emploi.example.org"


@pytest.mark.parametrize(
    "moment, fr, nl",
    [
        ("2026-12-02T10:00", "dès aujourd'hui", "vanaf vandaag"),
        ("2026-12-02T07:30", "dès aujourd'hui", "vanaf vandaag"),  # before opening
        ("2026-12-02T17:30", "à partir de demain", "vanaf morgen"),
        ("2026-12-04T17:30", "à partir du lundi 7 décembre", "vanaf maandag 7 december"),
        ("2026-07-13T18:00", "à partir du mercredi 15 juillet", "vanaf woensdag 15 juli"),
    ],
)
def test_confirmation_says_when_the_call_can_come(moment: str, fr: str, nl: str) -> None:
    assert expected_call_label(at(moment), DEFAULT, "fr") == fr
    assert expected_call_label(at(moment), DEFAULT, "nl") == nl


def test_next_opening_skips_a_long_weekend() -> None:
    # Thursday 24 December 2026 after closing: Christmas Friday, weekend, then Monday.
    assert next_opening(at("2026-12-24T18:00"), DEFAULT.handoff) == at("2026-12-28T09:00")


def test_office_hours_read_naturally_in_both_languages() -> None:
    assert office_hours_label(DEFAULT, "fr") == "du lundi au vendredi, de 9 h à 17 h"
    assert office_hours_label(DEFAULT, "nl") == "van maandag tot vrijdag, van 9 tot 17 uur"
    odd = Settings.from_env({"BOT_OFFICE_DAYS": "mon,tue,thu", "BOT_OFFICE_HOURS": "08:30-16:45"})
    assert office_hours_label(odd, "fr") == "lundi, mardi et jeudi, de 8 h 30 à 16 h 45"
    assert office_hours_label(odd, "nl") == "maandag, dinsdag en donderdag, van 8.30 tot 16.45 uur"
