"""Admin pages (under /console/admin/): accounts, candidate privacy, retention, audit."""

from __future__ import annotations

import json
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.engine import Connection

from bot import privacy
from bot.console import audit, users
from bot.errors import InvalidUser, LastAdmin, UserExists
from bot.mailer import Mailer
from bot.storage.console import ROLES
from bot.web.console import blocking
from bot.web.console.context import context, route
from bot.web.console.conversation_views import refresh
from bot.web.console.keys import USER
from bot.web.keys import SETTINGS

# --- accounts -----------------------------------------------------------------------------


async def _users_page(
    request: web.Request, status: int = 200, error: str | None = None, form: Any = None
) -> web.Response:
    accounts = await blocking.read(request, users.list_users)
    page = context(
        request,
        "users",
        accounts=accounts,
        roles=ROLES,
        error=error,
        form=form or {},
        done=request.query.get("done"),
        min_password=users.MIN_PASSWORD,
    )
    return aiohttp_jinja2.render_template("console/users.html", request, page, status=status)


async def users_page(request: web.Request) -> web.Response:
    return await _users_page(request)


def _create(conn: Connection, actor: str, form: dict[str, str]) -> users.User:
    user = users.create_user(
        conn,
        form.get("email", ""),
        form.get("password", ""),
        form.get("role", ""),
        form.get("language", ""),
    )
    audit.record(conn, actor, "user_created", user=user.id, role=user.role)
    return user


async def create_user(request: web.Request) -> web.StreamResponse:
    form = {k: str(v) for k, v in (await request.post()).items()}
    try:
        await blocking.write(request, _create, request[USER].email, form)
    except InvalidUser as exc:
        return await _users_page(request, 400, f"invalid_{exc.reason}", _kept(form))
    except UserExists:
        return await _users_page(request, 400, "exists", _kept(form))
    raise web.HTTPSeeOther(route(request, "users").url_for().with_query(done="created"))


def _kept(form: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in form.items() if k in ("email", "role", "language")}


def _change(conn: Connection, actor: str, user_id: int, form: dict[str, str]) -> str:
    action = form.get("action")
    if action == "role":
        users.update_user(conn, user_id, role=form.get("role"))
    elif action in ("deactivate", "activate"):
        users.update_user(conn, user_id, active=action == "activate")
    elif action == "password":
        users.set_password(conn, user_id, form.get("password", ""))
    else:
        raise InvalidUser("action")
    audit.record(conn, actor, "user_changed", user=user_id, change=action)
    return action


async def change_user(request: web.Request) -> web.StreamResponse:
    form = {k: str(v) for k, v in (await request.post()).items()}
    user_id = int(request.match_info["id"])
    try:
        action = await blocking.write(request, _change, request[USER].email, user_id, form)
    except LastAdmin:
        return await _users_page(request, 400, "last_admin")
    except InvalidUser as exc:
        return await _users_page(request, 400, f"invalid_{exc.reason}")
    raise web.HTTPSeeOther(route(request, "users").url_for().with_query(done=action))


# --- one candidate's data -----------------------------------------------------------------


def _query(form: Any) -> privacy.CandidateQuery:
    return privacy.CandidateQuery.of(
        str(form.get("email") or ""),
        str(form.get("phone") or ""),
        str(form.get("conversation") or ""),
    )


def _privacy_page(request: web.Request, status: int = 200, **extra: Any) -> web.Response:
    values = {"query": privacy.CandidateQuery(), "found": None, "report": None, "error": None}
    page = context(request, "privacy", **{**values, **extra})
    return aiohttp_jinja2.render_template("console/privacy.html", request, page, status=status)


async def privacy_page(request: web.Request) -> web.Response:
    return _privacy_page(request)


async def privacy_search(request: web.Request) -> web.Response:
    query = _query(await request.post())
    if query.empty:
        return _privacy_page(request, 400, query=query, error="empty")
    await refresh(request)
    found = await blocking.read(request, privacy.find, query)
    return _privacy_page(request, query=query, found=found)


def _export(conn: Connection, query: privacy.CandidateQuery) -> dict[str, Any]:
    return privacy.export(conn, privacy.find(conn, query))


async def privacy_export(request: web.Request) -> web.Response:
    query = _query(await request.post())
    if query.empty:
        return _privacy_page(request, 400, query=query, error="empty")
    document = await blocking.read(request, _export, query)
    await blocking.write(
        request,
        audit.record,
        request[USER].email,
        "export_candidate",
        conversations=len(document["conversations"]),
    )
    return web.Response(
        text=json.dumps(document, ensure_ascii=False, indent=2),
        content_type="application/json",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="candidate-data.json"'},
    )


async def privacy_erase(request: web.Request) -> web.Response:
    form = await request.post()
    query = _query(form)
    if query.empty:
        return _privacy_page(request, 400, query=query, error="empty")
    if form.get("confirm") != "yes":
        await refresh(request)
        found = await blocking.read(request, privacy.find, query)
        return _privacy_page(request, 400, query=query, found=found, error="confirm")
    await refresh(request)  # events that arrived since the search are erased too
    settings = request.config_dict[SETTINGS]
    report = await blocking.call(
        privacy.erase_and_notify,
        blocking.engine_of(request),
        Mailer.from_settings(settings),
        settings.public_url,
        query,
        request[USER].email,
        settings.redis_url if settings.production else None,
    )
    return _privacy_page(request, report=report)


# --- retention ----------------------------------------------------------------------------


def _retention(conn: Connection, days: int) -> dict[str, Any]:
    return {
        "expired": len(privacy.expired_senders(conn, days)),
        "purges": audit.recent(conn, limit=10, action="purge"),
    }


async def retention_page(request: web.Request) -> web.Response:
    days = request.config_dict[SETTINGS].retention_days
    facts = await blocking.read(request, _retention, days)
    page = context(request, "retention", days=days, done=request.query.get("done"), **facts)
    return aiohttp_jinja2.render_template("console/retention.html", request, page)


async def retention_purge(request: web.Request) -> web.StreamResponse:
    days = request.config_dict[SETTINGS].retention_days
    await refresh(request)
    count = await blocking.write(request, privacy.purge, days, request[USER].email)
    url = route(request, "retention").url_for().with_query(done=str(count))
    raise web.HTTPSeeOther(url)


# --- audit trail --------------------------------------------------------------------------


async def audit_page(request: web.Request) -> web.Response:
    entries = await blocking.read(request, audit.recent, 200)
    page = context(request, "audit", entries=entries)
    return aiohttp_jinja2.render_template("console/audit.html", request, page)
