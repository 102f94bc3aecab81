"""The conversation list, the transcript, and the consultant's tags, notes and review."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.engine import Connection

from bot.console import (
    audit,
    canned,
    conversations,
    saved_filters,
    takeovers,
    transcript,
    users,
)
from bot.console.intents import intent_choices
from bot.console.projection import refresh_for
from bot.errors import UnknownConversation
from bot.events.projection import broker_feeds_console
from bot.language.codes import SUPPORTED
from bot.storage.rasa_events import StoredEvent
from bot.web.console import blocking
from bot.web.console.context import context, route
from bot.web.console.keys import USER
from bot.web.keys import SETTINGS


async def refresh(request: web.Request) -> None:
    """Bring the projection up to date before a list is read (cheap when nothing is new).

    Not in production mode: there the event consumer (bot.events) feeds the projection
    from RabbitMQ, and folding the tracker store's events too would count them twice.
    """
    if broker_feeds_console():
        return
    settings = request.config_dict[SETTINGS]
    await blocking.call(refresh_for, blocking.engine_of(request), settings)


async def index(request: web.Request) -> web.StreamResponse:
    raise web.HTTPSeeOther(route(request, "conversations").url_for())


async def conversation_list(request: web.Request) -> web.Response:
    chosen = conversations.ConversationFilter.from_query(request.query, request[USER].email)
    await refresh(request)
    page = await blocking.read(request, conversations.list_conversations, chosen)
    tags = await blocking.read(request, conversations.all_tags)
    saved = await blocking.read(request, saved_filters.saved, request[USER].email)
    context_ = context(
        request,
        "conversations",
        result=page,
        filter=chosen,
        tags=tags,
        intents=intent_choices(),
        channels=conversations.CHANNELS,
        languages=conversations.LANGUAGES,
        saved_filters=saved,
        filter_error=request.query.get("filter_error"),
        filter_saved=request.query.get("filter_saved") == "1",
    )
    return aiohttp_jinja2.render_template("console/conversations.html", request, context_)


@dataclass(frozen=True)
class TranscriptData:
    conversation: conversations.ConversationRow
    events: list[StoredEvent]
    notes: list[conversations.Note]
    review: tuple[str, object] | None
    holder: takeovers.Holder | None
    replies: list[canned.CannedReply]
    # Whom a takeover can be handed to (active accounts; the page leaves the reader out).
    colleagues: list[str]


def _load(conn: Connection, conversation_id: int) -> TranscriptData:
    row = conversations.get_conversation(conn, conversation_id)
    return TranscriptData(
        row,
        conversations.events_of(conn, row.sender_id),
        conversations.notes_of(conn, row.sender_id),
        conversations.review_of(conn, row.sender_id),
        takeovers.holder(conn, row.sender_id),
        # In the conversation's language; both when it is not known yet.
        canned.replies(conn, row.language if row.language in SUPPORTED else None),
        [user.email for user in users.list_users(conn) if user.active],
    )


async def _data(request: web.Request) -> TranscriptData:
    try:
        return await blocking.read(request, _load, int(request.match_info["id"]))
    except UnknownConversation:
        raise web.HTTPNotFound() from None


def _render(request: web.Request, data: TranscriptData, reveal: bool) -> web.Response:
    built = transcript.build(data.events, reveal=reveal)
    page = context(
        request,
        "conversations",
        conversation=data.conversation,
        transcript=built,
        notes=data.notes,
        review=data.review,
        holder=data.holder,
        replies=data.replies,
        colleagues=[email for email in data.colleagues if email != request[USER].email],
        revealed=reveal,
        takeover=request.query.get("takeover"),
        reported=request.query.get("reported"),
        technical=request.query.get("technical") == "1",
    )
    return aiohttp_jinja2.render_template("console/transcript.html", request, page)


async def conversation(request: web.Request) -> web.Response:
    return _render(request, await _data(request), reveal=False)


async def reveal(request: web.Request) -> web.Response:
    """Show the personal data of one conversation, once, and say so in the audit trail."""
    data = await _data(request)
    actor = request[USER].email
    await blocking.write(request, audit.record, actor, "reveal", conversation=data.conversation.id)
    return _render(request, data, reveal=True)


def _back(request: web.Request, anchor: str = "") -> web.HTTPSeeOther:
    url = route(request, "conversation").url_for(id=request.match_info["id"])
    return web.HTTPSeeOther(f"{url}{anchor}")


async def sender_of(request: web.Request) -> str:
    """The sender id of the conversation in the URL (404 if there is none)."""
    try:
        row = await blocking.read(
            request, conversations.get_conversation, int(request.match_info["id"])
        )
    except UnknownConversation:
        raise web.HTTPNotFound() from None
    return row.sender_id


async def add_tag(request: web.Request) -> web.StreamResponse:
    sender = await sender_of(request)
    form = await request.post()
    await blocking.write(
        request, conversations.add_tag, sender, str(form.get("tag") or ""), request[USER].email
    )
    raise _back(request, "#tags")


async def remove_tag(request: web.Request) -> web.StreamResponse:
    sender = await sender_of(request)
    form = await request.post()
    await blocking.write(request, conversations.remove_tag, sender, str(form.get("tag") or ""))
    raise _back(request, "#tags")


async def add_note(request: web.Request) -> web.StreamResponse:
    sender = await sender_of(request)
    form = await request.post()
    await blocking.write(
        request, conversations.add_note, sender, request[USER].email, str(form.get("note") or "")
    )
    raise _back(request, "#notes")


async def review(request: web.Request) -> web.StreamResponse:
    sender = await sender_of(request)
    form = await request.post()
    reviewed = form.get("reviewed") == "yes"
    await blocking.write(request, conversations.set_reviewed, sender, request[USER].email, reviewed)
    raise _back(request, "#review")
