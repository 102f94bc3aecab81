"""Callback requests and the live takeover of a conversation (bot.handoff underneath).

The queue lists the candidates who asked for a person, with what they left (name, phone,
e-mail, moment, topic) and the status consultants give them. The takeover buttons of a
transcript call ``bot.handoff.take_over`` / ``send_as_consultant`` / ``hand_back``, which
pause and resume the conversation through Rasa's token-protected HTTP API and deliver the
consultant's words to the candidate's channel. A takeover belongs to the consultant who took
it (``bot.console.takeovers``): colleagues see who holds it and take it over explicitly.
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.engine import Connection

from bot import handoff
from bot.console import audit, conversations, takeovers, users
from bot.errors import (
    AlreadyTakenOver,
    CallbackNotFound,
    ConversationNotFound,
    HandoffError,
    NotTakenOver,
    RasaApiUnavailable,
    UnknownConversation,
)
from bot.web.console import blocking
from bot.web.console.context import context, route
from bot.web.console.keys import USER
from bot.web.keys import SETTINGS

FILTERS = ("open", *handoff.STATUSES, "all")
OPEN = ("new", "in_progress")


def _queue(conn: Connection, shown: str) -> dict[str, Any]:
    everything = handoff.list_callbacks(conn)
    counts = {
        status: sum(1 for c in everything if c.status == status) for status in handoff.STATUSES
    }
    counts["open"] = counts["new"] + counts["in_progress"]
    counts["all"] = len(everything)
    if shown == "open":
        chosen = [c for c in everything if c.status in OPEN]
    elif shown == "all":
        chosen = everything
    else:
        chosen = [c for c in everything if c.status == shown]
    # Whoever waits in the conversation for a person comes first, longest wait first; then
    # the rest, oldest first.
    chosen.sort(key=lambda c: (not (c.live and c.status == "new"), c.created_at, c.id))
    numbers = conversations.numbers_for(conn, [c.sender_id for c in chosen])
    return {"callbacks": chosen, "counts": counts, "numbers": numbers}


async def callback_queue(request: web.Request) -> web.Response:
    shown = request.query.get("status", "open")
    shown = shown if shown in FILTERS else "open"
    found = await blocking.read(request, _queue, shown)
    page = context(
        request,
        "callbacks",
        shown=shown,
        filters=FILTERS,
        statuses=handoff.STATUSES,
        done=request.query.get("done"),
        **found,
    )
    return aiohttp_jinja2.render_template("console/callbacks.html", request, page)


def _set_status(conn: Connection, callback_id: int, status: str, actor: str) -> None:
    handoff.set_callback_status(conn, callback_id, status, actor)


async def callback_status(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    status = str(form.get("status") or "")
    shown = str(form.get("shown") or "open")
    try:
        await blocking.write(
            request, _set_status, int(request.match_info["id"]), status, request[USER].email
        )
    except CallbackNotFound:
        raise web.HTTPNotFound() from None
    except ValueError:
        status = "invalid"
    query = {"status": shown if shown in FILTERS else "open", "done": status}
    raise web.HTTPSeeOther(route(request, "callbacks").url_for().with_query(query))


# --- live takeover ------------------------------------------------------------------------


async def _sender(request: web.Request) -> tuple[int, str]:
    number = int(request.match_info["id"])
    try:
        row = await blocking.read(request, conversations.get_conversation, number)
    except UnknownConversation:
        raise web.HTTPNotFound() from None
    return number, row.sender_id


def _outcome(error: HandoffError) -> str:
    if isinstance(error, AlreadyTakenOver):
        return "already"
    if isinstance(error, NotTakenOver):
        return "not_taken"
    if isinstance(error, ConversationNotFound):
        return "unknown"
    if isinstance(error, RasaApiUnavailable):
        return "unavailable"
    return "failed"


def _back(request: web.Request, number: int, outcome: str) -> web.HTTPSeeOther:
    url = route(request, "conversation").url_for(id=str(number)).with_query(takeover=outcome)
    return web.HTTPSeeOther(f"{url}#takeover")


async def _held_by_other(request: web.Request, sender: str, actor: str) -> bool:
    """True when a colleague holds this takeover; else the consultant holds it now."""
    other = await blocking.write(request, takeovers.claim, sender, actor)
    return other is not None


async def take_over(request: web.Request) -> web.StreamResponse:
    """ "Prendre la main" / "Overnemen": the bot goes silent, the candidate is told.

    A conversation a colleague holds is refused ("held": take it over explicitly); one that
    is paused but held by nobody (paused before holders were kept) becomes this
    consultant's without pausing it again.
    """
    number, sender = await _sender(request)
    actor = request[USER].email
    current = await blocking.read(request, takeovers.holder, sender)
    if current is not None and current.consultant != actor:
        raise _back(request, number, "held")
    try:
        await handoff.take_over(request.config_dict[SETTINGS], sender, actor)
    except AlreadyTakenOver:
        if current is not None:
            raise _back(request, number, "already") from None
    except HandoffError as error:
        raise _back(request, number, _outcome(error)) from None
    if await _held_by_other(request, sender, actor):  # a colleague was quicker
        raise _back(request, number, "held")
    await blocking.write(request, _taken, sender, actor, number)
    raise _back(request, number, "taken")


def _taken(conn: Connection, sender: str, actor: str, number: int) -> None:
    """Audited, and the candidate's live request (if any) is now in progress."""
    audit.record(conn, actor, "takeover", conversation=number)
    handoff.live_request_follows(conn, sender, "in_progress", actor)


def _transfer(conn: Connection, sender: str, actor: str, number: int) -> None:
    previous = takeovers.transfer(conn, sender, actor)
    audit.record(conn, actor, "takeover_transferred", conversation=number, previous=previous)
    handoff.live_request_follows(conn, sender, "in_progress", actor)


async def take_over_from(request: web.Request) -> web.StreamResponse:
    """Take a conversation a colleague holds: explicit, and written in the audit trail."""
    number, sender = await _sender(request)
    await blocking.write(request, _transfer, sender, request[USER].email, number)
    raise _back(request, number, "transferred")


async def send_message(request: web.Request) -> web.StreamResponse:
    number, sender = await _sender(request)
    form = await request.post()
    message = str(form.get("message") or "").strip()[:2000]
    if not message:
        raise _back(request, number, "empty")
    if await _held_by_other(request, sender, request[USER].email):
        raise _back(request, number, "held")
    try:
        await handoff.send_as_consultant(request.config_dict[SETTINGS], sender, message)
    except HandoffError as error:
        raise _back(request, number, _outcome(error)) from None
    raise _back(request, number, "sent")


async def hand_back(request: web.Request) -> web.StreamResponse:
    """ "Rendre la main" / "Teruggeven": the assistant answers again."""
    number, sender = await _sender(request)
    if await _held_by_other(request, sender, request[USER].email):
        raise _back(request, number, "held")
    try:
        await handoff.hand_back(request.config_dict[SETTINGS], sender)
    except HandoffError as error:
        raise _back(request, number, _outcome(error)) from None
    await blocking.write(request, _handed_back, sender, request[USER].email)
    raise _back(request, number, "handed_back")


def _handed_back(conn: Connection, sender: str, actor: str) -> None:
    """Nobody holds the conversation any more, and its live request (if any) is done."""
    takeovers.release(conn, sender)
    handoff.live_request_follows(conn, sender, "done", actor)


def _give(conn: Connection, sender: str, actor: str, colleague: str, number: int) -> str:
    """Hand one's takeover to an active colleague; the outcome shown on the transcript."""
    current = takeovers.holder(conn, sender)
    if current is None or current.consultant != actor:
        return "held" if current is not None else "not_taken"
    target = users.get_by_email(conn, colleague)
    if target is None or not target.active or target.email == actor:
        return "no_colleague"
    takeovers.transfer(conn, sender, target.email)
    audit.record(conn, actor, "takeover_given", conversation=number, to=target.email)
    handoff.live_request_follows(conn, sender, "in_progress", target.email)
    return "given"


async def give(request: web.Request) -> web.StreamResponse:
    """ "Confier à un collègue" / "Doorgeven aan een collega": the colleague holds it now
    (their console says so at once), the candidate keeps talking to a person."""
    number, sender = await _sender(request)
    form = await request.post()
    colleague = str(form.get("to") or "")
    outcome = await blocking.write(request, _give, sender, request[USER].email, colleague, number)
    raise _back(request, number, outcome)
