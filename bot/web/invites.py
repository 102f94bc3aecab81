"""``/ics/<reference>.ics``: the calendar invite of a booking, linked from the confirmation.

The reference is the key: it is long enough not to be guessed (see bot.references), and the
invite holds only the session's title, time and place, nothing about the candidate.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot import sessions
from bot.errors import BookingNotFound
from bot.web.keys import ENGINE


async def calendar_invite(request: web.Request) -> web.Response:
    reference = request.match_info["reference"]
    try:
        body = await asyncio.to_thread(sessions.ics_for_reference, request.app[ENGINE], reference)
    except BookingNotFound:
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
