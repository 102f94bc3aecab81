"""What every page template gets: language, catalog lookups, links, chat widget settings."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.language.codes import SUPPORTED
from bot.web.i18n import translator
from bot.web.keys import RASA_URL, SETTINGS

SOCKETIO_PATH = "/socket.io"
STORAGE_KEY = "crossborder-chat"
CHAT_STRINGS = (
    "open close title notice log_label input_label placeholder send typing you bot offline"
    " reset buttons_label"
).split()


def rasa_url(request: web.Request) -> str:
    """Where the visitor's browser reaches the Rasa server.

    ``BOT_RASA_PUBLIC_URL`` when set (behind a proxy, another host name); otherwise the
    host name this page was asked for, on the Rasa port, when it is one of
    ``settings.page_hosts`` (else ``BOT_PUBLIC_URL``'s).
    """
    settings = request.app[SETTINGS]
    if settings.rasa_public_url:
        return settings.rasa_public_url
    # request.host is the Host header ("example.org:8080"); request.url would break on it
    # with the yarl that Rasa's pins bring.
    host = urlsplit(f"//{request.host}").hostname or "127.0.0.1"
    if host not in settings.page_hosts:
        # A forged Host header must not choose where the page connects (nor its CSP).
        host = urlsplit(settings.public_url).hostname or "127.0.0.1"
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    return f"{request.scheme}://{host}:{settings.rasa_port}"


def connect_sources(url: str) -> list[str]:
    """The origins a page may connect to for this Rasa URL (HTTP polling and WebSocket)."""
    parts = urlsplit(url)
    socket_scheme = "wss" if parts.scheme == "https" else "ws"
    return [f"{parts.scheme}://{parts.netloc}", f"{socket_scheme}://{parts.netloc}"]


def _static(request: web.Request, filename: str) -> str:
    return str(request.app.router["static"].url_for(filename=filename))


def context(request: web.Request, language: str, page: str) -> dict[str, Any]:
    """The context shared by every page of ``language``; ``page`` names its route."""
    t = translator(language)
    url = rasa_url(request)
    request[RASA_URL] = url
    router = request.app.router
    switch = [
        {
            "code": code,
            "name": translator(code)("web.lang_name"),
            "url": str(router[page].url_for(lang=code)),
            "current": code == language,
        }
        for code in SUPPORTED
    ]
    chat = {
        "rasaUrl": url,
        "socketPath": SOCKETIO_PATH,
        "language": language,
        "storageKey": STORAGE_KEY,
        "strings": {name: t(f"web.chat.{name}") for name in CHAT_STRINGS},
    }
    return {
        "lang": language,
        "t": t,
        "page": page,
        "languages": switch,
        "home_url": str(router["home"].url_for(lang=language)),
        "privacy_url": str(router["privacy"].url_for(lang=language)),
        "accessibility_url": str(router["accessibility"].url_for(lang=language)),
        "static": lambda name: _static(request, name),
        "chat_config": chat,
    }
