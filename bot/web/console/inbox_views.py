"""The training-data inbox: label, ignore, reopen, export as Rasa NLU YAML."""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from bot.console import audit, inbox
from bot.console.intents import intent_choices
from bot.web.console import blocking, conversation_views
from bot.web.console.context import context, route
from bot.web.console.conversation_views import refresh
from bot.web.console.keys import USER
from bot.web.keys import SETTINGS

STATUSES = ("open", "labelled", "ignored")


def _page_number(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


async def inbox_page(request: web.Request) -> web.Response:
    threshold = request.config_dict[SETTINGS].inbox_confidence
    status = request.query.get("status") if request.query.get("status") in STATUSES else "open"
    language = request.query.get("language")
    language = language if language in inbox.LANGUAGES else None
    page = _page_number(request.query.get("page"))
    await refresh(request)
    items, has_next = await blocking.read(
        request, inbox.list_inbox, threshold, status, language, page
    )
    counts = await blocking.read(request, inbox.counts, threshold)
    query = {k: v for k, v in (("status", status), ("language", language)) if v}
    context_ = context(
        request,
        "inbox",
        items=items,
        has_next=has_next,
        page_number=page,
        status=status,
        language=language,
        counts=counts,
        query=query,
        intents=intent_choices(),
        threshold=threshold,
        done=request.query.get("done"),
    )
    return aiohttp_jinja2.render_template("console/inbox.html", request, context_)


async def report_wrong(request: web.Request) -> web.StreamResponse:
    """ "This answer was wrong" on a user message of a transcript: into the inbox, open."""
    sender = await conversation_views.sender_of(request)
    form = await request.post()
    try:
        event_id = int(str(form.get("event_id") or ""))
    except ValueError:
        raise web.HTTPBadRequest() from None
    outcome = await blocking.write(request, inbox.report, sender, event_id, request[USER].email)
    if outcome == "not_found":
        raise web.HTTPNotFound()
    url = route(request, "conversation").url_for(id=request.match_info["id"])
    raise web.HTTPSeeOther(f"{url.with_query(reported=outcome)}#event-{event_id}")


def _back(request: web.Request, form: dict[str, str], done: str) -> web.HTTPSeeOther:
    query = {k: form[k] for k in ("status", "language", "page") if form.get(k)}
    query["done"] = done
    return web.HTTPSeeOther(route(request, "inbox").url_for().with_query(query))


def _item_id(request: web.Request) -> int:
    return int(request.match_info["id"])


async def label(request: web.Request) -> web.StreamResponse:
    form = {k: str(v) for k, v in (await request.post()).items()}
    intent = form.get("intent") or form.get("suggested") or ""
    ok = await blocking.write(
        request, inbox.label, _item_id(request), intent, request[USER].email, intent_choices()
    )
    if not ok:
        raise web.HTTPNotFound()
    raise _back(request, form, "labelled")


async def ignore(request: web.Request) -> web.StreamResponse:
    form = {k: str(v) for k, v in (await request.post()).items()}
    if not await blocking.write(request, inbox.ignore, _item_id(request), request[USER].email):
        raise web.HTTPNotFound()
    raise _back(request, form, "ignored")


async def reopen(request: web.Request) -> web.StreamResponse:
    form = {k: str(v) for k, v in (await request.post()).items()}
    if not await blocking.write(request, inbox.reopen, _item_id(request)):
        raise web.HTTPNotFound()
    raise _back(request, form, "reopened")


async def export(request: web.Request) -> web.Response:
    """A download of ``console_inbox.yml`` for data/nlu_<lang>/ (audited: it leaves the site)."""
    language = request.match_info["lang"]
    result = await blocking.read(request, inbox.export_yaml, language)
    await blocking.write(
        request,
        audit.record,
        request[USER].email,
        "inbox_export",
        language=language,
        examples=result.examples,
    )
    return web.Response(
        text=result.text,
        content_type="application/x-yaml",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{language}-{inbox.EXPORT_FILE}"'},
    )
