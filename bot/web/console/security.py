"""Sessions, CSRF and access control of the console (aiohttp-demos' blog, with real roles).

The console's routes live in the website's application (aiohttp 3.9.5 cannot resolve a
sub-application's prefix with the yarl that Rasa's pins bring: see docs/decisions.md), so
each of these middlewares acts on paths under ``/console`` only. Outermost first:

1. ``errors``: 403 and 404 as console pages in the consultant's language; no caching of
   any console page (they show personal data).
2. aiohttp-session with :class:`ConsoleCookieStorage`: an encrypted cookie (Fernet), path
   ``/console``, HttpOnly (no script reads it) and SameSite=Strict (never sent with a
   request started by another site, the first line of defence against CSRF), Secure
   whenever the request came over https (directly or through a proxy that says so).
3. ``csrf``: every POST (any method but GET, HEAD, OPTIONS) must carry the session's token
   in the form field ``csrf_token``; otherwise 403, before any handler runs.
4. ``authentication``: every page but the sign-in page needs a signed-in, active account
   whose session has not been revoked (logout, password change, deactivation raise the
   account's ``session_epoch``), at most ``SESSION_HOURS`` old; pages under
   ``/console/admin/`` need the admin role.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from collections.abc import Sequence

import aiohttp_jinja2
import aiohttp_session
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from aiohttp_session import Session, get_session, new_session
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from bot.client import forwarded_client
from bot.config import IPNetwork
from bot.console import users
from bot.console.users import User
from bot.web.console import blocking
from bot.web.console.context import context, csrf_token, route
from bot.web.console.keys import USER

log = logging.getLogger(__name__)

COOKIE_NAME = "crossborder_console"
COOKIE_PATH = "/console"
COOKIE_MAX_AGE_S = 8 * 3600
SESSION_HOURS = 12
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_ROUTES = frozenset({"console.login", "console.login_submit"})
CONSOLE_PREFIX = "/console"
ADMIN_PREFIX = "/console/admin/"


class ConsoleCookieStorage(EncryptedCookieStorage):
    """Encrypted cookie storage whose Secure flag follows the request's scheme."""

    def __init__(self, key: bytes) -> None:
        super().__init__(
            key,
            cookie_name=COOKIE_NAME,
            path=COOKIE_PATH,
            max_age=COOKIE_MAX_AGE_S,
            httponly=True,
            # Strict: a link from a mail or another site opens the console without the
            # cookie, so no request forged elsewhere ever carries a consultant's session.
            samesite="Strict",
        )
        self._base_params = self._cookie_params.copy()

    async def save_session(
        self, request: web.Request, response: web.StreamResponse, session: Session
    ) -> None:
        # No await between setting the flag and writing the cookie: safe on one loop.
        self._cookie_params = self._base_params.copy()
        self._cookie_params["secure"] = is_https(request)
        await super().save_session(request, response, session)


def client_address(request: web.Request, trusted: Sequence[IPNetwork]) -> str | None:
    """The address of the browser (:func:`bot.client.forwarded_client`), for throttling."""
    return forwarded_client(request.remote, request.headers.getall("X-Forwarded-For", ()), trusted)


def is_https(request: web.Request) -> bool:
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return request.secure or forwarded == "https"


async def start_session(request: web.Request, user: User) -> None:
    """A fresh session for a signed-in account (new token: no session fixation)."""
    session = await new_session(request)
    session["uid"] = user.id
    session["epoch"] = user.session_epoch
    session["since"] = int(time.time())
    session["csrf"] = secrets.token_urlsafe(32)


def is_console(request: web.Request) -> bool:
    """The console shares the website's app: its middlewares act on its own paths only."""
    path = request.path
    return path == CONSOLE_PREFIX or path.startswith(CONSOLE_PREFIX + "/")


def scoped(middleware: Middleware) -> Middleware:
    """``middleware`` for console requests; other requests pass straight through."""

    @web.middleware
    async def only_console(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not is_console(request):
            return await handler(request)
        return await middleware(request, handler)

    return only_console


def session_middleware(storage: EncryptedCookieStorage) -> Middleware:
    return scoped(aiohttp_session.session_middleware(storage))


def _route_name(request: web.Request) -> str | None:
    route = request.match_info.route
    return route.name if route is not None else None


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not is_console(request):
        return await handler(request)
    try:
        response = await handler(request)
    except web.HTTPForbidden as exc:
        response = _error(request, 403, exc.text or "")
    except web.HTTPNotFound:
        response = _error(request, 404)
    except web.HTTPException as exc:
        exc.headers["Cache-Control"] = "no-store"
        raise
    response.headers["Cache-Control"] = "no-store"
    return response


def _error(request: web.Request, status: int, reason: str = "") -> web.Response:
    kind = "csrf" if reason == "csrf" else ("forbidden" if status == 403 else "not_found")
    page = context(request, "error", status=status, kind=kind)
    return aiohttp_jinja2.render_template("console/error.html", request, page, status=status)


@web.middleware
async def csrf(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method in SAFE_METHODS or not is_console(request):
        return await handler(request)
    session = await get_session(request)
    expected = session.get("csrf")
    form = await request.post()
    given = form.get(CSRF_FIELD)
    if not expected or not isinstance(given, str) or not hmac.compare_digest(expected, given):
        log.warning("console: %s %s refused, bad CSRF token", request.method, request.path)
        raise web.HTTPForbidden(text="csrf")
    return await handler(request)


@web.middleware
async def authentication(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not is_console(request):
        return await handler(request)
    name = _route_name(request)
    if name in PUBLIC_ROUTES or request.match_info.http_exception is not None:
        return await handler(request)
    session = await get_session(request)
    user = await _session_user(request, session)
    if user is None:
        if request.method in SAFE_METHODS:
            login = route(request, "login").url_for()
            raise web.HTTPSeeOther(login.with_query({"next": request.path_qs}))
        raise web.HTTPForbidden(text="signed_out")
    request[USER] = user
    if request.path.startswith(ADMIN_PREFIX) and not user.is_admin:
        log.warning("console: %s refused to a consultant", request.path)
        raise web.HTTPForbidden(text="admin")
    return await handler(request)


async def _session_user(request: web.Request, session: Session) -> User | None:
    uid, epoch, since = session.get("uid"), session.get("epoch"), session.get("since")
    if not isinstance(uid, int) or not isinstance(epoch, int) or not isinstance(since, int):
        return None
    if time.time() - since > SESSION_HOURS * 3600:
        return None
    return await blocking.read(request, users.session_user, uid, epoch)


__all__ = ["csrf_token", "start_session", "errors", "csrf", "authentication"]
