"""One callback request: what the candidate left, the consultants' notes and call attempts,
and its closing with an outcome (bot.handoff.follow_up underneath; each change audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.engine import Connection

from bot import handoff
from bot.console import audit, conversations
from bot.console.summary import LOCAL_TIME
from bot.errors import CallbackNotFound
from bot.handoff import follow_up
from bot.storage import handoff as store
from bot.web.console import blocking
from bot.web.console.context import context, route
from bot.web.console.keys import USER


def _number(request: web.Request) -> int:
    return int(request.match_info["id"])


def _page(conn: Connection, callback_id: int) -> dict[str, Any]:
    row = store.get(conn, callback_id)
    if row is None:
        raise CallbackNotFound(callback_id)
    callback = handoff.CallbackRequest.from_row(row)
    numbers = conversations.numbers_for(conn, [callback.sender_id])
    return {
        "callback": callback,
        "history": follow_up.history(conn, callback_id),
        "conversation": numbers.get(callback.sender_id),
    }


async def callback_page(request: web.Request) -> web.Response:
    try:
        found = await blocking.read(request, _page, _number(request))
    except CallbackNotFound:
        raise web.HTTPNotFound() from None
    page = context(
        request,
        "callbacks",
        outcomes=follow_up.OUTCOMES,
        done=request.query.get("done"),
        max_note=follow_up.MAX_NOTE,
        **found,
    )
    return aiohttp_jinja2.render_template("console/callback.html", request, page)


def _back(request: web.Request, done: str) -> web.HTTPSeeOther:
    url = route(request, "callback").url_for(id=str(_number(request))).with_query(done=done)
    return web.HTTPSeeOther(f"{url}#follow-up")


def _note(conn: Connection, callback_id: int, actor: str, text: str) -> None:
    follow_up.add_note(conn, callback_id, actor, text)
    audit.record(conn, actor, "callback_note", callback=callback_id)


def _attempt(
    conn: Connection, callback_id: int, actor: str, reached: bool, at: dt.datetime | None
) -> None:
    follow_up.record_attempt(conn, callback_id, actor, reached, at)
    audit.record(conn, actor, "callback_attempt", callback=callback_id, reached=int(reached))


def _close(conn: Connection, callback_id: int, actor: str, outcome: str) -> None:
    follow_up.close(conn, callback_id, outcome, actor)
    audit.record(conn, actor, "callback_outcome", callback=callback_id, outcome=outcome)


async def _apply(request: web.Request, write: Any, *args: object, done: str) -> web.HTTPSeeOther:
    """Run ``write`` in a transaction; where to go next (the page, saying what happened)."""
    try:
        await blocking.write(request, write, _number(request), request[USER].email, *args)
    except CallbackNotFound:
        raise web.HTTPNotFound() from None
    except follow_up.FollowUpRefused as refused:
        return _back(request, f"refused_{refused.reason}")
    return _back(request, done)


async def add_note(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    raise await _apply(request, _note, str(form.get("text") or ""), done="note")


def attempt_time(value: str) -> dt.datetime | None:
    """The form's local time ("2026-12-07T14:30") in UTC; None when empty.

    Raises FollowUpRefused (``invalid_time``).
    """
    value = value.strip()
    if not value:
        return None
    try:
        local = dt.datetime.fromisoformat(value)
    except ValueError:
        raise follow_up.FollowUpRefused("invalid_time") from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=LOCAL_TIME)
    return local.astimezone(dt.timezone.utc)


async def add_attempt(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    reached = str(form.get("reached") or "")
    if reached not in ("yes", "no"):
        raise _back(request, "refused_reached")
    try:
        at = attempt_time(str(form.get("at") or ""))
    except follow_up.FollowUpRefused as refused:
        raise _back(request, f"refused_{refused.reason}") from None
    raise await _apply(request, _attempt, reached == "yes", at, done="attempt")


async def close(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    raise await _apply(request, _close, str(form.get("outcome") or ""), done="outcome")
