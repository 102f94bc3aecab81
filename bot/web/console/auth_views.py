"""Sign-in, sign-out and the consultant's own account (language, password)."""

from __future__ import annotations

import math

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import get_session

from bot.console import users
from bot.errors import InvalidUser, SignInThrottled
from bot.web.console import blocking
from bot.web.console.context import context, csrf_token, route
from bot.web.console.keys import LANGUAGE, USER
from bot.web.console.security import client_address, start_session
from bot.web.keys import SETTINGS


def _safe_next(value: object) -> str | None:
    """Only a path of the console itself: never another site (open redirect)."""
    text = str(value or "")
    if text.startswith("/console/") and not text.startswith("//") and "\\" not in text:
        return text
    return None


def _login_page(request: web.Request, status: int = 200, **extra: object) -> web.Response:
    page = context(request, "login", next=_safe_next(request.query.get("next")) or "", **extra)
    return aiohttp_jinja2.render_template("console/login.html", request, page, status=status)


async def login(request: web.Request) -> web.Response:
    session = await get_session(request)
    csrf_token(session)
    return _login_page(request, email="", error=None)


async def login_submit(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    email = str(form.get("email") or "")
    password = str(form.get("password") or "")
    request[LANGUAGE] = str(form.get("lang") or "")
    address = client_address(request, request.config_dict[SETTINGS].trusted_proxies)
    try:
        # Checked and counted in one write transaction: parallel attempts cannot all pass.
        check = await blocking.write(request, users.check_sign_in, email, address)
    except SignInThrottled as exc:
        minutes = max(1, math.ceil(exc.retry_after_s / 60))
        return _login_page(request, 429, email=email, error="throttled", minutes=minutes)
    ok = await blocking.call(users.verify_password, check.password_hash, password)
    user = await blocking.write(request, users.record_sign_in, check, ok, email, address, password)
    if user is None:
        return _login_page(request, 401, email=email, error="invalid")
    await start_session(request, user)
    target = _safe_next(form.get("next")) or str(route(request, "conversations").url_for())
    raise web.HTTPSeeOther(target)


async def logout(request: web.Request) -> web.StreamResponse:
    """Signs out on every device: the account's other cookies stop working too."""
    user = request[USER]
    await blocking.write(request, users.end_sessions, user.id)
    session = await get_session(request)
    session.invalidate()
    raise web.HTTPSeeOther(route(request, "login").url_for())


async def account(request: web.Request) -> web.Response:
    page = context(
        request,
        "account",
        done=request.query.get("done"),
        error=None,
        min_password=users.MIN_PASSWORD,
    )
    return aiohttp_jinja2.render_template("console/account.html", request, page)


async def account_language(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    try:
        await blocking.write(
            request, users.set_language, request[USER].id, str(form.get("language"))
        )
    except InvalidUser:
        raise web.HTTPSeeOther(route(request, "account").url_for()) from None
    raise web.HTTPSeeOther(route(request, "account").url_for().with_query(done="language"))


async def account_password(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    new = str(form.get("new_password") or "")
    error = None
    if new != str(form.get("new_password_again") or ""):
        error = "mismatch"
    elif len(new) < users.MIN_PASSWORD:
        error = "too_short"
    elif users.breached(new):
        error = "breached"
    else:
        current = str(form.get("current_password") or "")
        changed = await blocking.write(
            request, users.change_own_password, request[USER].id, current, new
        )
        if changed:
            # The password change ended every session, this one too: sign in again.
            fresh = await blocking.read(request, users.get_user, request[USER].id)
            if fresh is not None:
                await start_session(request, fresh)
            raise web.HTTPSeeOther(route(request, "account").url_for().with_query(done="password"))
        error = "wrong_current"
    page = context(request, "account", done=None, error=error, min_password=users.MIN_PASSWORD)
    return aiohttp_jinja2.render_template("console/account.html", request, page, status=400)
