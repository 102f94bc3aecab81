"""``/<lang>/bookings/confirm/<token>``: the link of the e-mail that confirms a held booking.

GET shows the session and a button, POST confirms: mail scanners and link previews open the
links they see (GET), and must not confirm anyone's booking by doing so. The token is the
only key (256 random bits, single use: :mod:`bot.sessions.opt_in`); the page is in the
language of the link, which is the candidate's.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.engine import Engine

from bot import sessions
from bot.errors import BookingNotFound
from bot.mailer import Mailer
from bot.sessions import opt_in
from bot.sessions import texts as session_texts
from bot.sessions.mail import ics_url
from bot.storage.db import reading
from bot.web import pages
from bot.web.keys import ENGINE, SETTINGS


def _held(engine: Engine, token: str) -> tuple[sessions.Booking, sessions.InfoSession]:
    with reading(engine) as conn:
        booking = opt_in.held_booking(conn, token)
        return booking, sessions.get_session(conn, booking.session_id)


def _render(request: web.Request, status: int = 200, **values: Any) -> web.Response:
    language = request.match_info["lang"]
    context: dict[str, Any] = pages.context(request, language, "home")
    context.update(page="booking_confirm", **values)
    response = aiohttp_jinja2.render_template("booking_confirm.html", request, context)
    response.set_status(status)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token stays out of referrers
    return response


async def _failed(request: web.Request, call: Any, *args: Any) -> Any:
    """Run ``call`` in a thread; a page for a link that is unknown, used or too late."""
    try:
        return await asyncio.to_thread(call, *args)
    except opt_in.HoldExpired:
        raise _Answer(_render(request, 410, state="expired")) from None
    except BookingNotFound:
        raise _Answer(_render(request, 404, state="unknown")) from None


class _Answer(Exception):
    def __init__(self, response: web.Response) -> None:
        self.response = response


def _details(session: sessions.InfoSession, language: str) -> dict[str, Any]:
    return session_texts.session_details(session, language)


async def show(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    try:
        booking, session = await _failed(request, _held, request.app[ENGINE], token)
    except _Answer as answer:
        return answer.response
    language = request.match_info["lang"]
    return _render(request, state="ask", details=_details(session, language), booking=booking)


async def confirm(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    settings = request.app[SETTINGS]
    mailer = Mailer.from_settings(settings)
    call = sessions.confirm_and_notify
    try:
        booking, session = await _failed(
            request, call, request.app[ENGINE], mailer, settings.public_url, token
        )
    except _Answer as answer:
        return answer.response
    language = request.match_info["lang"]
    return _render(
        request,
        state="confirmed",
        details=_details(session, language),
        booking=booking,
        ics_url=ics_url(settings.public_url, booking.reference),
    )
