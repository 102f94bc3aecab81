"""Saved filters of the conversation list (bot.console.saved_filters): each consultant saves
the filter on screen under a name, opens it from the list, removes it."""

from __future__ import annotations

import urllib.parse

from aiohttp import web

from bot.console import saved_filters
from bot.web.console import blocking
from bot.web.console.context import route
from bot.web.console.keys import USER

FILTER_FIELDS = ("language", "channel", "from", "to", "intent", "fallback", "handoff",
                 "booking", "tag", "reviewed", "mine")  # fmt: skip


async def save_filter(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    query = {name: str(form.get(name) or "") for name in FILTER_FIELDS if form.get(name)}
    owner = request[USER].email
    target = route(request, "conversations").url_for()
    try:
        await blocking.write(request, saved_filters.save, owner, str(form.get("name") or ""), query)
    except saved_filters.InvalidFilter as refused:
        error = {**query, "filter_error": refused.reason}
        raise web.HTTPSeeOther(target.with_query(error)) from None
    kept = dict(urllib.parse.parse_qsl(saved_filters.kept_query(query, owner)))
    raise web.HTTPSeeOther(target.with_query({**kept, "filter_saved": "1"}))


async def delete_filter(request: web.Request) -> web.StreamResponse:
    filter_id = int(request.match_info["id"])
    if not await blocking.write(request, saved_filters.remove, request[USER].email, filter_id):
        raise web.HTTPNotFound()
    raise web.HTTPSeeOther(route(request, "conversations").url_for())
