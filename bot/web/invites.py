"""``/ics/<reference>.ics``: the calendar invite of a booking, linked from the confirmation.

The reference is the key: it is long enough not to be guessed (see bot.references), and the
invite holds only the session's title, time and place, nothing about the candidate. Failed
look-ups are throttled per client address (:class:`bot.throttle.FailureThrottle`: after five
unknown references, a growing delay; 429 with ``Retry-After`` meanwhile).
"""

from __future__ import annotations

import asyncio
import math

from aiohttp import web

from bot import sessions
from bot.errors import BookingNotFound
from bot.web.console.security import client_address
from bot.web.keys import ENGINE, ICS_FAILURES, SETTINGS


async def calendar_invite(request: web.Request) -> web.Response:
    reference = request.match_info["reference"]
    address = client_address(request, request.app[SETTINGS].trusted_proxies) or "unknown"
    wait = request.app[ICS_FAILURES].retry_after(address)
    if wait > 0:
        raise web.HTTPTooManyRequests(headers={"Retry-After": str(math.ceil(wait))})
    try:
        body = await asyncio.to_thread(sessions.ics_for_reference, request.app[ENGINE], reference)
    except BookingNotFound:
        request.app[ICS_FAILURES].failed(address)
        raise web.HTTPNotFound() from None
    return web.Response(
        body=body,
        content_type="text/calendar",
        charset="utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="session.ics"',
            "Cache-Control": "private, no-store",
        },
    )
