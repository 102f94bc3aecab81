"""Analytics for a period: figures and the data the charts draw (static/console.js)."""

from __future__ import annotations

import datetime as dt

import aiohttp_jinja2
from aiohttp import web

from bot.console import analytics, support_stats
from bot.console.summary import LOCAL_TIME
from bot.vacancies.freshness import SourceState, source_states
from bot.vacancies.sync import sync_source_names
from bot.web.console import blocking
from bot.web.console.context import context, intent_namer, request_language
from bot.web.console.conversation_views import refresh
from bot.web.i18n import translator
from bot.web.keys import SETTINGS


def duration_text(language: str, seconds: float | None) -> str:
    """A waiting or answer time as people read it: "45 s", "12 min", "2 h 05", "3 j 4 h"."""
    t = translator(language)
    if seconds is None:
        return str(t("console.support.none"))
    whole = int(round(seconds))
    if whole < 60:
        return str(t("console.support.seconds", n=whole))
    minutes = whole // 60
    if minutes < 60:
        return str(t("console.support.minutes", n=minutes))
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return str(t("console.support.hours", h=hours, m=f"{rest:02d}"))
    days, hours = divmod(hours, 24)
    return str(t("console.support.days", d=days, h=hours))


def chart_data(result: analytics.Analytics, language: str) -> dict[str, object]:
    """What console.js draws: labels already in the consultant's language."""
    t = translator(language)
    intent_name = intent_namer(t)
    return {
        "perDay": {
            "label": t("console.analytics.per_day"),
            "labels": [day.isoformat() for day, _n in result.per_day],
            "values": [n for _day, n in result.per_day],
        },
        "languages": {
            "label": t("console.analytics.languages"),
            "labels": [t(f"console.language.{code}") for code in result.languages],
            "values": list(result.languages.values()),
        },
        "intents": {
            "label": t("console.analytics.top_intents"),
            "labels": [intent_name(name) for name, _n in result.top_intents],
            "values": [n for _name, n in result.top_intents],
        },
        "faq": {
            "label": t("console.analytics.top_faq"),
            "labels": [intent_name(name) for name, _n in result.top_faq],
            "values": [n for _name, n in result.top_faq],
        },
    }


async def vacancy_sources(request: web.Request) -> list[SourceState]:
    """The synchronised vacancy sources, stale ones flagged (bot.vacancies.freshness)."""
    settings = request.config_dict[SETTINGS]
    now = dt.datetime.now(dt.timezone.utc)
    names = sync_source_names(settings)
    return await blocking.read(request, source_states, names, settings.vacancy_sync_interval_s, now)


async def analytics_page(request: web.Request) -> web.Response:
    today = dt.datetime.now(LOCAL_TIME).date()
    sources = await vacancy_sources(request)
    asked = (request.query.get("from"), request.query.get("to"))
    try:
        period = analytics.Period.parse(*asked, today)
    except analytics.PeriodRefused as refused:
        # Said, with the dates as typed; no figures rather than those of another period.
        page = context(
            request,
            "analytics",
            refused=refused.reason,
            asked=asked,
            max_days=analytics.MAX_DAYS,
            sources=sources,
        )
        return aiohttp_jinja2.render_template("console/analytics.html", request, page, status=400)
    await refresh(request)
    result = await blocking.read(request, analytics.compute, period)
    support = await blocking.read(request, support_stats.compute, period)
    language = request_language(request)
    page = context(
        request,
        "analytics",
        result=result,
        period=period,
        asked=(period.start.isoformat(), period.end.isoformat()),
        refused=None,
        charts=chart_data(result, language),
        sources=sources,
        support=support,
        support_kinds=support_stats.KINDS,
        duration=lambda seconds: duration_text(language, seconds),
    )
    return aiohttp_jinja2.render_template("console/analytics.html", request, page)
