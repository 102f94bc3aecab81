"""Error pages in the visitor's language, and the security headers of every response."""

from __future__ import annotations

import logging

import aiohttp_jinja2
from aiohttp import web
from aiohttp.typedefs import Handler

from bot.language.codes import SUPPORTED
from bot.web import pages
from bot.web.i18n import negotiate
from bot.web.keys import RASA_URL, SETTINGS

log = logging.getLogger(__name__)


def page_language(request: web.Request) -> str:
    """The language of the requested URL (``/nl/...``), else the browser's preference."""
    first = request.path.strip("/").split("/")[0]
    return first if first in SUPPORTED else negotiate(request.headers.get("Accept-Language"))


def _error_page(request: web.Request, status: int) -> web.Response:
    language = page_language(request)
    context = pages.context(request, language, "home")
    context["status"] = status
    context["kind"] = "not_found" if status == 404 else "server_error"
    response = aiohttp_jinja2.render_template("error.html", request, context, status=status)
    return response


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """404 and 500 as pages in the visitor's language; redirects and others pass through."""
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return _error_page(request, 404)
    except web.HTTPException:
        raise
    except Exception:
        # The path only: never the query string or the body (they may hold personal data).
        log.exception("error on %s %s", request.method, request.path)
        return _error_page(request, 500)


def _add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    connect = (
        ["'self'", *pages.connect_sources(request[RASA_URL])] if RASA_URL in request else ["'self'"]
    )
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src {' '.join(connect)}; frame-ancestors 'none'; base-uri 'self'; "
        "form-action 'self'; object-src 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    settings = request.app[SETTINGS]
    if request.secure or settings.public_url.startswith("https://"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A strict content security policy (scripts and styles from this site only) and the
    other security headers, on every response: pages, errors, redirects (aiohttp raises
    them as exceptions); HSTS when the site is served over https."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _add_security_headers(request, exc)
        raise
    _add_security_headers(request, response)
    return response
