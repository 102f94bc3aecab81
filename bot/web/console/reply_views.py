"""Canned replies (bot.console.canned): admins keep them under ``admin/replies``; the holder
of a takeover sends one in a click from the transcript (``send_message``, as typed text)."""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.engine import Connection

from bot.console import audit, canned
from bot.language.codes import SUPPORTED
from bot.web.console import blocking
from bot.web.console.context import context, route
from bot.web.console.keys import USER


def _page(
    request: web.Request,
    replies: list[canned.CannedReply],
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> web.Response:
    page = context(
        request,
        "replies",
        replies=replies,
        languages=SUPPORTED,
        error=error,
        form=form or {},
        done=request.query.get("done"),
    )
    return aiohttp_jinja2.render_template("console/replies.html", request, page, status=status)


async def replies_page(request: web.Request) -> web.Response:
    return _page(request, await blocking.read(request, canned.replies))


def _add(conn: Connection, language: str, title: str, text: str, actor: str) -> None:
    reply = canned.add(conn, language, title, text, actor)
    audit.record(conn, actor, "reply_saved", reply=reply.id)


async def create_reply(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    given = {name: str(form.get(name) or "") for name in ("language", "title", "text")}
    try:
        await blocking.write(request, _add, *given.values(), request[USER].email)
    except canned.InvalidReply as refused:
        replies = await blocking.read(request, canned.replies)
        return _page(request, replies, 400, refused.reason, given)
    raise web.HTTPSeeOther(route(request, "replies").url_for().with_query(done="saved"))


def _remove(conn: Connection, reply_id: int, actor: str) -> bool:
    removed = canned.remove(conn, reply_id)
    if removed:
        audit.record(conn, actor, "reply_deleted", reply=reply_id)
    return removed


async def delete_reply(request: web.Request) -> web.StreamResponse:
    reply_id = int(request.match_info["id"])
    if not await blocking.write(request, _remove, reply_id, request[USER].email):
        raise web.HTTPNotFound()
    raise web.HTTPSeeOther(route(request, "replies").url_for().with_query(done="deleted"))
