"""Domain exceptions, translated into a response or an HTTP status at the edges."""

from __future__ import annotations


class BotError(Exception):
    """Base of the product's own errors: an expected situation with a defined answer."""
