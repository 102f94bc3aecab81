"""The job alerts' links: confirm (double opt-in), unsubscribe, an offer of a digest.

A GET only shows a page with one button; the POST of that button does it. Mail scanners
that open every link of a message must not confirm or end an alert for the candidate. The
unsubscribe POST is also what a mail program sends for ``List-Unsubscribe-Post`` (RFC 8058
one-click). Pages are in the alert's language; a link that is not (or no more) valid gets
a page saying so in the browser's.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.alerts import use_cases
from bot.alerts.links import link_key
from bot.alerts.mail import describe
from bot.alerts.subscriptions import Alert
from bot.web import pages
from bot.web.i18n import negotiate
from bot.web.keys import ENGINE, SETTINGS

HEADERS = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}


def setup(app: web.Application) -> None:
    app.router.add_get("/alerts/confirm/{token}", ask_confirm, name="alert_confirm")
    app.router.add_post("/alerts/confirm/{token}", confirm)
    app.router.add_get("/alerts/unsubscribe/{token}", ask_unsubscribe, name="alert_unsubscribe")
    app.router.add_post("/alerts/unsubscribe/{token}", unsubscribe)
    app.router.add_get("/alerts/offer/{token}/{vacancy:\\d{1,12}}", offer, name="alert_offer")


def _key(request: web.Request) -> bytes:
    return link_key(request.app[SETTINGS])


def _render(
    request: web.Request, state: str, alert: Alert | None, status: int = 200
) -> web.Response:
    language = alert.language if alert else negotiate(request.headers.get("Accept-Language"))
    context: dict[str, Any] = pages.context(request, language, "home")
    context["state"] = state
    context["search"] = describe(alert.search, language) if alert and alert.search else ""
    context["action"] = request.path
    response = aiohttp_jinja2.render_template("alert.html", request, context, status=status)
    response.headers.update(HEADERS)
    return response


async def _alert(request: web.Request, purpose: str) -> Alert | None:
    return await asyncio.to_thread(
        use_cases.alert_of_token,
        request.app[ENGINE],
        _key(request),
        request.match_info["token"],
        purpose,
    )


async def ask_confirm(request: web.Request) -> web.Response:
    alert = await _alert(request, "confirm")
    if alert is None or not alert.active:
        return _render(request, "invalid", None, status=404)
    return _render(request, "confirmed" if alert.status == "confirmed" else "confirm", alert)


async def confirm(request: web.Request) -> web.Response:
    alert = await asyncio.to_thread(
        use_cases.confirm_token, request.app[ENGINE], _key(request), request.match_info["token"]
    )
    if alert is None:
        return _render(request, "invalid", None, status=404)
    return _render(request, "confirmed", alert)


async def ask_unsubscribe(request: web.Request) -> web.Response:
    alert = await _alert(request, "unsubscribe")
    if alert is None:
        return _render(request, "invalid", None, status=404)
    return _render(request, "unsubscribe" if alert.active else "unsubscribed", alert)


async def unsubscribe(request: web.Request) -> web.Response:
    alert = await asyncio.to_thread(
        use_cases.unsubscribe_token, request.app[ENGINE], _key(request), request.match_info["token"]
    )
    if alert is None:
        return _render(request, "invalid", None, status=404)
    return _render(request, "unsubscribed", alert)


async def offer(request: web.Request) -> web.Response:
    url = await asyncio.to_thread(
        use_cases.open_offer,
        request.app[ENGINE],
        _key(request),
        request.match_info["token"],
        int(request.match_info["vacancy"]),
    )
    if url is None or not url.startswith(("https://", "http://")):
        raise web.HTTPNotFound()
    raise web.HTTPFound(url, headers=HEADERS)
