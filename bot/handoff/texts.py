"""Parts of the handoff sentences that depend on settings or time, from the fr/nl catalogs.

The sentences themselves are domain responses (domain/handoff.yml); these functions fill
their ``{office_hours}``, ``{when}`` and ``{moment}`` placeholders in the candidate's
language, and give the texts sent during a live takeover (catalog ``handoff.*``).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot import messages
from bot.config import Settings
from bot.handoff.answers import AFTERNOON, MORNING
from bot.handoff.office_hours import local_time, next_opening
from bot.language.codes import supported_or_default


def _weekday(language: str, day: int) -> str:
    return str(messages.catalog(supported_or_default(language))["handoff"]["weekdays"][day])


def clock(language: str, at: time) -> str:
    """ "9 h" / "9 h 30" in French, "9" / "9.30" in Dutch (followed by "uur" in the range)."""
    key = "handoff.clock_hour" if at.minute == 0 else "handoff.clock_minutes"
    return messages.text(language, key).format(hour=at.hour, minute=f"{at.minute:02d}")


def office_hours_label(settings: Settings, language: str) -> str:
    """ "du lundi au vendredi, de 9 h à 17 h" / "van maandag tot vrijdag, van 9 tot 17 uur"."""
    language = supported_or_default(language)
    hours = settings.handoff
    days = list(hours.days)
    if len(days) > 1 and days == list(range(days[0], days[-1] + 1)):
        day_text = messages.text(language, "handoff.days_range").format(
            first=_weekday(language, days[0]), last=_weekday(language, days[-1])
        )
    else:
        names = [_weekday(language, d) for d in days]
        joined = ", ".join(names[:-1])
        day_text = (
            f"{joined} {messages.text(language, 'handoff.and')} {names[-1]}" if joined else names[0]
        )
    hours_text = messages.text(language, "handoff.hours_range").format(
        opens=clock(language, hours.opens), closes=clock(language, hours.closes)
    )
    return f"{day_text}, {hours_text}"


def expected_call_label(now: datetime, settings: Settings, language: str) -> str:
    """When a consultant can call at the earliest: "aujourd'hui", "demain", "lundi 7 décembre"."""
    language = supported_or_default(language)
    today = local_time(now, settings.handoff).date()
    day = next_opening(now, settings.handoff).date()
    if day == today:
        return messages.text(language, "handoff.when_today")
    if day == today + timedelta(days=1):
        return messages.text(language, "handoff.when_tomorrow")
    month = messages.catalog(language)["handoff"]["months"][day.month - 1]
    return messages.text(language, "handoff.when_day").format(
        weekday=_weekday(language, day.weekday()), day=day.day, month=month
    )


def moment_label(moment: str | None, language: str) -> str:
    """ "le matin" / "in de voormiddag" for the buttons' values, else the candidate's words."""
    if moment in (MORNING, AFTERNOON):
        return messages.text(supported_or_default(language), f"handoff.moment.{moment}")
    return moment or ""


def takeover_text(kind: str, language: str | None) -> str:
    """What the candidate reads when a consultant joins (``joined``) or leaves (``left``)."""
    return messages.text(supported_or_default(language), f"handoff.takeover.{kind}")


def problem_text(slot: str, reason: str, language: str | None) -> str:
    """The explanation of a refused answer (``handoff.problem.<slot>.<reason>``)."""
    # Every reason has its text in both languages (tests/unit/test_contact.py reads the
    # reasons from the code that raises them).
    return messages.text(supported_or_default(language), f"handoff.problem.{slot}.{reason}")
