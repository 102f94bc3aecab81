"""Which language a visitor gets, and the catalog lookups the templates use."""

from __future__ import annotations

from typing import Any, Protocol

from bot.language.codes import DEFAULT_LANGUAGE, SUPPORTED
from bot.messages import catalog, text


def negotiate(accept_language: str | None) -> str:
    """The supported language the browser prefers (``Accept-Language``), French by default.

    "nl-BE,nl;q=0.9,fr;q=0.8" gives ``nl``; a list naming neither language, or a broken
    header, gives the default rather than an error: the page must always open.
    """
    best, best_q = DEFAULT_LANGUAGE, 0.0
    for item in (accept_language or "").split(","):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        quality = _quality(params)
        # Strictly better only: the first of equal preferences wins, as browsers list
        # them in order; q=0 means "not this one".
        if primary in SUPPORTED and quality > best_q:
            best, best_q = primary, quality
    return best


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip() == "q":
            try:
                return max(0.0, min(1.0, float(value)))
            except ValueError:
                return 0.0
    return 1.0


class Translate(Protocol):
    """``t(key, **values)``: the catalog entry, formatted when it is a string."""

    def __call__(self, key: str, **values: object) -> Any: ...


def translator(language: str) -> Translate:
    """``t("web.home.title")`` for one language: a string, or a list for list entries."""

    def t(key: str, **values: object) -> Any:
        node: Any = catalog(language)
        for part in key.split("."):
            node = node[part]
        if isinstance(node, str):
            return node.format(**values) if values else node
        return node

    return t


__all__ = ["negotiate", "translator", "text", "SUPPORTED"]
