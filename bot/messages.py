"""Catalog of short texts outside the Rasa domain (button labels), in French and Dutch."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from bot.language.codes import supported_or_default


@cache
def catalog(language: str) -> dict[str, Any]:
    """The whole catalog of one language, read once from package data."""
    text = resources.files("bot.resources").joinpath(f"{language}.yml").read_text("utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def text(language: str | None, key: str) -> str:
    """The text for a dotted ``key`` ("intent.help") in ``language`` (French if unknown).

    Raises:
        KeyError: when the key does not exist, so that a missing label fails loudly.
    """
    node: Any = catalog(supported_or_default(language))
    for part in key.split("."):
        node = node[part]
    return str(node)


def has_text(language: str, key: str) -> bool:
    """True when ``key`` exists in the catalog of ``language``."""
    try:
        text(language, key)
    except KeyError:
        return False
    return True
